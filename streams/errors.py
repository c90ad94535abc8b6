"""The exception tree of streams; every error the package raises derives from StreamsError.

    StreamsError
    ├── ConfigError              bad settings or command-line input
    ├── PaymentDecodeError       a record that cannot become a payment (goes to the DLQ)
    │   └── FormatError          a pacs.008 or MT103 message that cannot be converted
    ├── ListLoadError            a sanctions list file that cannot be loaded (file, line, reason)
    │   └── ListUpdateError      a downloaded list that was refused; the current files stay
    ├── RuleError                a rule file that does not validate (file, line, field)
    └── BrokerError              the embedded broker could not be found or started
"""

from __future__ import annotations


class StreamsError(Exception):
    """Root of every error raised by streams."""


class ConfigError(StreamsError):
    """Settings or command-line input that cannot be used."""


class PaymentDecodeError(StreamsError):
    """A record that cannot be decoded or validated into a payment."""

    def __init__(self, reason: str, error_type: str = "validation") -> None:
        super().__init__(reason)
        self.reason = reason
        self.error_type = error_type


class FormatError(PaymentDecodeError):
    """A pacs.008 or MT103 message that cannot be converted into payments."""


class ListLoadError(StreamsError):
    """A list file that cannot be loaded; names the file, the line or element, and why."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class ListUpdateError(ListLoadError):
    """A downloaded list that was refused; the current list files stay in place."""


class RuleError(StreamsError):
    """A rule file that does not validate; names the file, the line and the field."""

    def __init__(
        self, path: str, reason: str, line: int | None = None, field: str | None = None
    ) -> None:
        where = f"{path}:{line}" if line is not None else path
        at = f" [{field}]" if field else ""
        super().__init__(f"{where}{at}: {reason}")
        self.path = path
        self.line = line
        self.field = field
        self.reason = reason


class BrokerError(StreamsError):
    """The embedded broker could not be found, started or reached."""
