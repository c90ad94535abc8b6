"""Logging setup: plain or structured JSON lines, with account numbers and IBANs masked.

Two ways in, both reading `Settings.log_level` and `Settings.log_json`:

    faust.App(..., logging_config=logs.logging_config(settings))  # Faust/mode worker
    logs.configure_logging(settings)                               # CLI commands, scripts

Every handler installed here carries `AccountMaskFilter`, so a log line never shows a full
account number or IBAN, whatever the code logged: IBAN-shaped tokens and the values of
`account` fields (key=value, key: value, JSON and pydantic repr forms) keep only their last
four characters. Code that logs a party should still pass its account through `mask_account`.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from datetime import datetime, timezone
from typing import Any, Protocol

__all__ = [
    "AccountMaskFilter",
    "JsonFormatter",
    "configure_logging",
    "logging_config",
    "mask_account",
    "mask_text",
]

KEEP = 4
PLAIN_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"

# An IBAN: country code, two check digits, 11 to 30 letters or digits, optionally grouped by 4.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
# The value of an account field: account=..., account: ..., "account": "...", account='...'.
_ACCOUNT_FIELD = re.compile(
    r"""(?P<key>["']?(?:[a-z_]*account(?:_number|_no|_id)?|acct|iban)["']?\s*[:=]\s*)"""
    r"""(?P<quote>["']?)(?P<value>[A-Za-z0-9*][A-Za-z0-9* /.\-]*?)(?P=quote)(?=[\s,;)}\]]|$)""",
    re.IGNORECASE,
)
# Record attributes that logging itself sets; anything else on a record is a structured field.
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName",
}


class _LogSettings(Protocol):
    log_level: str
    log_json: bool


def mask_account(value: str | None, keep: int = KEEP) -> str | None:
    """An account number or IBAN with all but its last `keep` characters replaced by '*'."""
    if value is None:
        return None
    compact = re.sub(r"[\s\-]", "", value)
    if len(compact) <= keep:
        return "*" * len(compact)
    return "*" * (len(compact) - keep) + compact[-keep:]


def _mask_field(match: re.Match[str]) -> str:
    quote = match.group("quote")
    return f"{match.group('key')}{quote}{mask_account(match.group('value'))}{quote}"


def mask_text(text: str) -> str:
    """A log message with every IBAN and every account field value masked."""
    text = _IBAN.sub(lambda m: mask_account(m.group(0)) or "", text)
    return _ACCOUNT_FIELD.sub(_mask_field, text)


class AccountMaskFilter(logging.Filter):
    """Masks account numbers and IBANs in the message, its arguments and structured fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for logging to report
            return True
        record.msg = mask_text(message)
        record.args = None
        for key, value in list(vars(record).items()):
            if key in _RESERVED:
                continue
            if isinstance(value, str):
                setattr(record, key, mask_text(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record, with `extra=` fields kept as top-level keys."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = mask_text(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(settings: _LogSettings) -> dict[str, Any]:
    """A logging.config.dictConfig dict: one stdout handler, masked, plain or JSON."""
    level = settings.log_level.upper()
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if settings.log_json
        else {"format": PLAIN_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask_accounts": {"()": f"{__name__}.AccountMaskFilter"}},
        "formatters": {"streams": formatter},
        "handlers": {
            "streams": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "streams",
                "filters": ["mask_accounts"],
                "level": level,
            }
        },
        "root": {"level": level, "handlers": ["streams"]},
    }


def configure_logging(settings: _LogSettings) -> None:
    """Install the streams logging setup on the root logger (replacing its handlers)."""
    logging.config.dictConfig(logging_config(settings))
