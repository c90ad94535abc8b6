"""Syntax of the MT103 text-block fields: each reader checks one field and returns plain data.

Readers raise FormatError naming the field (`:32A:`) and what is wrong; they never echo an
account number. Option letters follow the SWIFT user handbook: A = BIC, B = location,
C = clearing code, D = name and address, F = structured party, K = unstructured party.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from streams.errors import FormatError
from streams.formats.canonical import address_from, clean_text, join_text
from streams.formats.fin import Field

__all__ = ["BankParty", "read_bank", "read_customer", "read_time_indication", "read_value_date",
           "require_lines", "split_name", "syntax_error", "unwrap"]

#: Width of a name, address or narrative line.
LINE_WIDTH = 35

BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
_ACCOUNT_LINE = re.compile(r"/[^\n]{1,34}")
_PARTY_IDENTIFIER = re.compile(r"/[A-Z]/[^\n]{1,34}|/[^\n]{1,34}")  # [/1!a][/34x]
_CLEARING_CODE = re.compile(r"//?[A-Z0-9][^\n]{0,33}")
_VALUE_DATE = re.compile(r"(\d{2})(\d{2})(\d{2})([A-Z]{3})(\d[\d,]{0,14})")
_TIME_INDICATION = re.compile(r"/([A-Z]{1,8})/(\d{2})(\d{2})([+-])(\d{2})(\d{2})")
_NUMBERED_LINE = re.compile(r"([1-8])/([^\n]{0,33})")
_STRUCTURED_ID = re.compile(r"[A-Z]{4}/[A-Z]{2}/[^\n]{1,27}")


def syntax_error(item: Field, problem: str) -> FormatError:
    """A FormatError for a field with bad syntax."""
    return FormatError(f"MT103 {item.label} {problem}", "mt_field_syntax")


def require_lines(item: Field, max_lines: int, width: int = 35) -> tuple[str, ...]:
    """The field's lines after checking their number and width."""
    if not item.lines or not any(line.strip() for line in item.lines):
        raise syntax_error(item, "is empty")
    if len(item.lines) > max_lines:
        raise syntax_error(item, f"has {len(item.lines)} lines, at most {max_lines} allowed")
    for number, line in enumerate(item.lines, 1):
        if len(line) > width:
            raise syntax_error(item, f"has line {number} of {len(line)} characters, over {width}")
    return item.lines


def unwrap(lines: Sequence[str], width: int = LINE_WIDTH) -> str | None:
    """Lines rejoined: a full line (exactly `width` wide) continues the text with no space."""
    text = ""
    for index, line in enumerate(lines):
        if index and len(lines[index - 1]) != width:
            text += " "
        text += line
    return clean_text(text)


def split_name(lines: Sequence[str], width: int = LINE_WIDTH) -> tuple[str | None, list[str]]:
    """The name (the first line and any line a full line continues into) and the lines after."""
    count = 1
    while count < len(lines) and len(lines[count - 1]) == width:
        count += 1
    return unwrap(lines[:count], width), list(lines[count:])


def read_value_date(item: Field) -> tuple[date, str, Decimal]:
    """:32A: value date (YYMMDD), currency and amount with a decimal comma."""
    match = _VALUE_DATE.fullmatch(item.lines[0]) if len(item.lines) == 1 else None
    if match is None or match.group(5).count(",") != 1:
        raise syntax_error(item, "must be 6!n3!a15d (YYMMDD, currency, amount with a "
                                 "decimal comma)")
    yy, mm, dd, currency, amount = match.groups()
    year = int(yy) + (1900 if int(yy) >= 80 else 2000)
    try:
        value_date = date(year, int(mm), int(dd))
    except ValueError as exc:
        raise syntax_error(item, f"has {yy}{mm}{dd}, not a calendar date") from exc
    try:
        value = Decimal(amount.replace(",", "."))
    except InvalidOperation as exc:
        raise syntax_error(item, "has an amount that is not a number") from exc
    return value_date, currency, value


def read_time_indication(item: Field, on: date) -> tuple[str, datetime]:
    """:13C: code and the moment it names, on the value date `on`."""
    match = _TIME_INDICATION.fullmatch(item.lines[0]) if len(item.lines) == 1 else None
    if match is None:
        raise syntax_error(item, "must be /8c/4!n1!x4!n, e.g. /SNDTIME/0930+0100")
    code, hh, mi, sign, oh, om = match.groups()
    if int(hh) > 23 or int(mi) > 59 or int(oh) > 13 or int(om) > 59:
        raise syntax_error(item, "has a time or UTC offset out of range")
    offset = timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
    return code, datetime(on.year, on.month, on.day, int(hh), int(mi),
                          tzinfo=timezone(offset))


@dataclass(frozen=True, slots=True)
class BankParty:
    """What an A/B/C/D option says about a bank: BIC, name, address lines, location."""

    bic: str | None = None
    name: str | None = None
    street: str | None = None
    location: str | None = None

    def agent_data(self) -> dict[str, object]:
        """The canonical agent fields."""
        address = address_from(street=self.street, town=self.location)
        return {"bic": self.bic, "name": self.name, "address": address}


def read_bank(item: Field) -> BankParty:
    """A bank field in option A, B, C or D (52a to 57a), party identifier line skipped."""
    option = item.tag[2:]
    if option == "C":
        lines = require_lines(item, 1, 35)
        if not _CLEARING_CODE.fullmatch(lines[0]):
            raise syntax_error(item, "must be /34x (a clearing code)")
        return BankParty(name=lines[0].lstrip("/"))
    lines = require_lines(item, 5 if option == "D" else 2, 37)
    if lines[0].startswith("/"):
        if not _PARTY_IDENTIFIER.fullmatch(lines[0]):
            raise syntax_error(item, "party identifier must be [/1!a][/34x]")
        lines = lines[1:]
    if option == "A":
        if len(lines) != 1 or not BIC.fullmatch(lines[0]):
            raise syntax_error(item, "must carry a BIC (4!a2!a2!c[3!c]) after the party identifier")
        return BankParty(bic=lines[0])
    if len(lines) > (4 if option == "D" else 1):
        raise syntax_error(item, "has too many lines after the party identifier")
    if any(len(line) > 35 for line in lines):
        raise syntax_error(item, "has a name or address line over 35 characters")
    if option == "B":
        return BankParty(location=join_text(lines))
    if not lines:
        raise syntax_error(item, "has no name line")
    name, address = split_name(lines)
    return BankParty(name=name, street=join_text(address, ", "))


def read_customer(item: Field) -> dict[str, object]:
    """The canonical party of :50a: (A, F, K) or :59a: (no letter, A, F)."""
    option = item.tag[2:]
    lines = list(require_lines(item, 5, 35))
    account = identifier = None
    if lines[0].startswith("/"):
        if not _ACCOUNT_LINE.fullmatch(lines[0]):
            raise syntax_error(item, "account line must be /34x")
        account = lines.pop(0)[1:]
    elif option == "F" and item.tag == "50F":
        if not _STRUCTURED_ID.fullmatch(lines[0]):
            raise syntax_error(item, "line 1 must be /34x (account) or 4!a/2!a/27x (identifier)")
        identifier = lines.pop(0)
    if not lines:
        raise syntax_error(item, "has no name line")
    if option == "A":
        if len(lines) != 1 or not BIC.fullmatch(lines[0]):
            raise syntax_error(item, "must carry a BIC (4!a2!a2!c[3!c]) after the account")
        return {"name": lines[0], "id": lines[0], "account": account}
    if option == "F":
        return _structured_customer(item, lines, account, identifier)
    name, address = split_name(lines)
    return {"name": name, "account": account,
            "address": address_from(street=join_text(address, ", "))}


def _structured_customer(item: Field, lines: list[str], account: str | None,
                         identifier: str | None) -> dict[str, object]:
    """Option F: numbered lines 1/ name, 2/ address, 3/ country[/town]; 4-8 are identity data."""
    names: list[str] = []
    streets: list[str] = []
    country = town = None
    for number, line in enumerate(lines, 2):
        match = _NUMBERED_LINE.fullmatch(line)
        if match is None:
            raise syntax_error(item, f"line {number} must be n/33x (1/ name, 2/ address, "
                                     "3/ country and town)")
        code, text = match.groups()
        if code == "1":
            names.append(text)
        elif code == "2":
            streets.append(text)
        elif code == "3":
            country, _, town = text.partition("/")
            if not re.fullmatch(r"[A-Z]{2}", country):
                raise syntax_error(item, f"line {number}: 3/ must start with a country code")
    if not names:
        raise syntax_error(item, "has no 1/ name line")
    return {"name": unwrap(names, 33), "account": account, "id": identifier,
            "address": address_from(street=join_text(streets, ", "), town=town or None,
                                    country=country)}
