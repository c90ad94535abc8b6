"""The SWIFT FIN envelope: header blocks {1:}{2:}{3:}, the text block {4:} and its fields.

Knows nothing of MT103 itself; `mt103.py` reads the fields this module splits out. Accepts a
full FIN message (`{1:...}{2:...}{3:...}{4:\\n:20:...\\n-}{5:...}`) or a bare text block
(lines starting at `:20:`), with CRLF or LF line ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from streams.errors import FormatError

__all__ = ["FinMessage", "Field", "X_CHARACTERS", "bic_from_lt", "parse_fin"]

#: The SWIFT "x" character set every text-block field is restricted to (plus line breaks).
X_CHARACTERS = re.compile(r"^[A-Za-z0-9/\-?:().,'+ \n]*$")
_FIELD_START = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
_BLOCK_ID = re.compile(r"[0-9A-Z]{1,3}")
_LT_ADDRESS = r"([A-Z]{4}[A-Z]{2}[A-Z0-9]{2})[A-Z0-9]([A-Z0-9]{3})"
_BASIC_HEADER = re.compile(rf"^[FAL]\d{{2}}{_LT_ADDRESS}(\d{{10}})?$")
_INPUT_HEADER = re.compile(rf"^I(\d{{3}}){_LT_ADDRESS}([SNU]\d?(\d{{3}})?)?$")
_OUTPUT_HEADER = re.compile(rf"^O(\d{{3}})\d{{4}}\d{{6}}{_LT_ADDRESS}\d{{10}}\d{{6}}\d{{4}}[SNU]?$")


@dataclass(frozen=True, slots=True)
class Field:
    """One text-block field: its tag (`59F`), its lines, and its line number in block 4."""

    tag: str
    lines: tuple[str, ...]
    line_no: int

    @property
    def label(self) -> str:
        """`:59F:`, the way users see the tag."""
        return f":{self.tag}:"


@dataclass(frozen=True, slots=True)
class FinMessage:
    """A FIN message split into its parts; sender and receiver are BICs (8 or 11)."""

    message_type: str | None
    sender: str | None
    receiver: str | None
    user_header: dict[str, str] = field(default_factory=dict)
    fields: tuple[Field, ...] = ()


def bic_from_lt(bic8: str, branch: str) -> str:
    """The BIC of a 12-character logical-terminal address (BIC8, terminal code, branch)."""
    return bic8 if branch == "XXX" else bic8 + branch


def parse_fin(text: str) -> FinMessage:
    """Split a FIN message into headers and text-block fields, or raise FormatError."""
    text = text.replace("\r\n", "\n").strip()
    if text.startswith(":"):  # a bare text block, as rule authors write it
        return FinMessage(None, None, None, fields=_split_fields(text.removesuffix("\n-")))
    blocks = _split_blocks(text)
    if "4" not in blocks:
        raise FormatError("MT message has no text block {4:}", "mt_syntax")
    message_type, sender, receiver = _headers(blocks.get("1"), blocks.get("2"))
    user_header = dict(re.findall(r"\{([0-9A-Z]{3}):([^{}]*)\}", blocks.get("3", "")))
    return FinMessage(message_type, sender, receiver, user_header, _split_fields(blocks["4"]))


def _split_blocks(text: str) -> dict[str, str]:
    blocks: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        colon = text.find(":", pos)
        block_id = text[pos + 1:colon] if text[pos] == "{" and colon > pos else ""
        if not _BLOCK_ID.fullmatch(block_id):
            raise FormatError(f"MT message: expected a block like {{1:...}} at character {pos}",
                              "mt_syntax")
        start = colon + 1
        if block_id == "4":
            end = text.find("\n-}", start)
            if end < 0:
                raise FormatError("MT block {4:} does not end with a line '-}'", "mt_syntax")
            content, pos = text[start:end], end + 3
        else:
            end = _closing_brace(text, start, block_id)
            content, pos = text[start:end], end + 1
        if block_id in blocks:
            raise FormatError(f"MT message has block {{{block_id}:}} twice", "mt_syntax")
        blocks[block_id] = content
    return blocks


def _closing_brace(text: str, start: int, block_id: str) -> int:
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
    raise FormatError(f"MT block {{{block_id}:}} is not closed", "mt_syntax")


def _headers(basic: str | None, application: str | None) -> tuple[str | None, str | None,
                                                                  str | None]:
    """Message type, sender and receiver BICs from blocks 1 and 2 (input or output direction)."""
    own = None
    if basic is not None:
        match = _BASIC_HEADER.fullmatch(basic)
        if match is None:
            raise FormatError("MT basic header {1:} is not F01 + a 12-character LT address",
                              "mt_syntax")
        own = bic_from_lt(match.group(1), match.group(2))
    if application is None:
        return None, own, None
    if match := _INPUT_HEADER.fullmatch(application):  # we are sending: {1:} is the sender
        return match.group(1), own, bic_from_lt(match.group(2), match.group(3))
    if match := _OUTPUT_HEADER.fullmatch(application):  # we received it: {1:} is the receiver
        return match.group(1), bic_from_lt(match.group(2), match.group(3)), own
    raise FormatError("MT application header {2:} is neither input (I103...) nor output (O103...)",
                      "mt_syntax")


def _split_fields(block: str) -> tuple[Field, ...]:
    fields: list[Field] = []
    tag: str | None = None
    lines: list[str] = []
    start = 0
    for line_no, line in enumerate(block.split("\n"), 1):
        match = _FIELD_START.match(line)
        if match:
            if tag is not None:
                fields.append(_field(tag, lines, start))
            tag, lines, start = match.group(1), [match.group(2)], line_no
        elif tag is not None:
            lines.append(line)
        elif line.strip():
            raise FormatError(f"MT block {{4:}} line {line_no}: text before the first field",
                              "mt_syntax")
    if tag is not None:
        fields.append(_field(tag, lines, start))
    return tuple(fields)


def _field(tag: str, lines: list[str], line_no: int) -> Field:
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    value = "\n".join(lines)
    if not X_CHARACTERS.fullmatch(value):
        raise FormatError(f"field :{tag}: (block 4 line {line_no}) has characters outside the "
                          "SWIFT x character set", "mt_field_syntax")
    return Field(tag, tuple(lines), line_no)
