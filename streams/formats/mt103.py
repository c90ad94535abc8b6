"""SWIFT MT103 (single customer credit transfer) into one canonical payment.

Mapping (documented for users in docs/formats.md):

- payment_id  :20:;  uetr  {3:{121:...}};  amount, currency  :32A:
- created_at  :32A: value date at 00:00Z, or at the time of :13C: (/SNDTIME/ first) if present
- debtor      :50A: / :50F: / :50K:;  creditor  :59: / :59A: / :59F:
- debtor_agent    :52A: / :52D:, else the sender (block {1:} of an input message)
- creditor_agent  :57A: / :57B: / :57C: / :57D:, else the receiver (block {2:})
- intermediary_agents  /INS/ of :72:, then :53a:, :54a:, :55a:, :56a: in routing order
- instructing_agent, instructed_agent  the sender and the receiver of the message
- remittance_info  :70: lines, then the other :72: lines;  :71A: is checked, not mapped
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from typing import Any

from streams.errors import FormatError
from streams.formats.canonical import join_text, validated
from streams.formats.fin import Field, FinMessage, parse_fin
from streams.formats.mt_fields import (
    BIC,
    read_bank,
    read_customer,
    read_time_indication,
    read_value_date,
    require_lines,
    syntax_error,
    unwrap,
)
from streams.models import Agent, Party, Payment

__all__ = ["MT103_TAGS", "decode_mt103"]

#: Every tag an MT103 (including STP and REMIT) may carry, with whether it may repeat.
MT103_TAGS: dict[str, bool] = {
    **dict.fromkeys(["20", "23B", "26T", "32A", "33B", "36", "50A", "50F", "50K", "51A",
                     "52A", "52D", "53A", "53B", "53D", "54A", "54B", "54D", "55A", "55B",
                     "55D", "56A", "56C", "56D", "57A", "57B", "57C", "57D", "59", "59A",
                     "59F", "70", "71A", "72", "77B", "77T"], False),
    **dict.fromkeys(["13C", "23E", "71F", "71G"], True),
}
#: Mandatory fields, as (tag or option-less number, label in messages).
MANDATORY = (("20", ":20:"), ("23B", ":23B:"), ("32A", ":32A:"), ("50", ":50a:"),
             ("59", ":59a:"), ("71A", ":71A:"))
_REFERENCE = re.compile(r"[^/\n][^\n]{0,15}")
_OPERATION_CODES = {"CRED", "CRTS", "SPAY", "SPRI", "SSTD"}
_CHARGES_CODES = {"BEN", "OUR", "SHA"}
_CHAIN = ("53", "54", "55", "56")
#: Fields whose letter is an option: only one of :50A:/:50F:/:50K: may appear, and so on.
_OPTION_FIELDS = {"50", "52", "53", "54", "55", "56", "57", "59"}
_PAYMENT_SOURCES = {"payment_id": ":20:", "uetr": "{3:{121:}}", "amount": ":32A:",
                    "currency": ":32A:", "remittance_info": ":70:/:72:", "created_at": ":32A:"}


def decode_mt103(raw: bytes, *, max_bytes: int) -> list[Payment]:
    """The canonical payment of one MT103, or a FormatError naming the field or block."""
    if len(raw) > max_bytes:
        raise FormatError(f"message is {len(raw)} bytes, over the {max_bytes}-byte limit",
                          "too_large")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"MT message is not UTF-8/ASCII text (byte {exc.start})",
                          "encoding") from exc
    message = parse_fin(text)
    if message.message_type not in (None, "103"):
        raise FormatError(f"message type is MT{message.message_type}, expected MT103",
                          "unsupported_message")
    return [_payment(message, _index_fields(message.fields))]


def _index_fields(fields: tuple[Field, ...]) -> dict[str, list[Field]]:
    """Fields by tag; refuses unknown tags, repeats of single fields and two options of one."""
    by_tag: dict[str, list[Field]] = {}
    options: dict[str, str] = {}
    for item in fields:
        if item.tag not in MT103_TAGS:
            raise syntax_error(item, "is not a field of MT103")
        if by_tag.get(item.tag) and not MT103_TAGS[item.tag]:
            raise syntax_error(item, "appears more than once")
        number = item.tag[:2]
        if number in _OPTION_FIELDS and options.setdefault(number, item.tag) != item.tag:
            raise syntax_error(item, f"conflicts with :{options[number]}: (one option of "
                                     f":{number}a: only)")
        by_tag.setdefault(item.tag, []).append(item)
    present = set(by_tag) | {tag[:2] for tag in by_tag}
    missing = [label for tag, label in MANDATORY if tag not in present]
    if missing:
        raise FormatError(f"MT103 mandatory field(s) missing: {', '.join(missing)}",
                          "missing_field")
    return by_tag


def _option(by_tag: dict[str, list[Field]], number: str) -> Field | None:
    for tag, items in by_tag.items():
        if tag[:2] == number:
            return items[0]
    return None


def _payment(message: FinMessage, by_tag: dict[str, list[Field]]) -> Payment:
    reference = require_lines(by_tag["20"][0], 1, 16)[0]
    if not _REFERENCE.fullmatch(reference) or reference.endswith("/") or "//" in reference:
        raise syntax_error(by_tag["20"][0], "reference must be 16x, not start or end with '/' "
                                            "and not contain '//'")
    _check_code(by_tag["23B"][0], _OPERATION_CODES)
    _check_code(by_tag["71A"][0], _CHARGES_CODES)
    value_date, currency, amount = read_value_date(by_tag["32A"][0])
    sender = _agent_of_bic(message.sender, "{1:}")
    receiver = _agent_of_bic(message.receiver, "{2:}")
    previous, other_72 = _sender_to_receiver(by_tag.get("72", []))
    data: dict[str, Any] = {
        "payment_id": reference,
        "uetr": message.user_header.get("121"),
        "created_at": _created_at(value_date, by_tag.get("13C", [])),
        "amount": amount,
        "currency": currency,
        "debtor": _customer(_option(by_tag, "50")),
        "debtor_agent": _bank(_option(by_tag, "52"), receiver=None) or sender
                        or _no_header(":52a:", "{1:} sender"),
        "creditor_agent": _bank(_option(by_tag, "57"), receiver=receiver) or receiver
                          or _no_header(":57a:", "{2:} receiver"),
        "creditor": _customer(_option(by_tag, "59")),
        "intermediary_agents": previous + [a for a in (_bank(_option(by_tag, n), receiver=None)
                                                       for n in _CHAIN) if a],
        "instructing_agent": sender,
        "instructed_agent": receiver,
        "remittance_info": join_text([unwrap(_narrative(by_tag.get("70", []), 4)),
                                      unwrap(other_72)]),
    }
    return validated(Payment, data, "MT103", _PAYMENT_SOURCES)


def _check_code(item: Field, allowed: set[str]) -> None:
    if require_lines(item, 1)[0] not in allowed:
        raise syntax_error(item, f"must be one of {', '.join(sorted(allowed))}")


def _created_at(value_date: date, indications: list[Field]) -> datetime:
    moments = [read_time_indication(item, value_date) for item in indications]
    for code, moment in moments:
        if code == "SNDTIME":
            return moment
    if moments:
        return moments[0][1]
    return datetime.combine(value_date, time(0, 0), tzinfo=timezone.utc)


def _agent_of_bic(bic: str | None, where: str) -> Agent | None:
    return None if bic is None else validated(Agent, {"bic": bic}, where)


def _no_header(field: str, header: str) -> Agent:
    raise FormatError(f"MT103 has no {field} and no {header} to take the bank from",
                      "missing_field")


def _bank(item: Field | None, receiver: Agent | None) -> Agent | None:
    """The agent of a bank field; option B names a location of the receiver, not a new bank."""
    if item is None:
        return None
    bank = read_bank(item)
    if item.tag.endswith("B"):
        if receiver is None or item.tag[:2] != "57":
            return None
        data = {**bank.agent_data(), "bic": receiver.bic}
    else:
        data = bank.agent_data()
    return validated(Agent, data, item.label)


def _customer(item: Field | None) -> Party:
    assert item is not None  # mandatory fields were checked by _index_fields
    return validated(Party, read_customer(item), item.label)


def _narrative(items: list[Field], max_lines: int) -> list[str]:
    return [line for item in items for line in require_lines(item, max_lines)]


def _sender_to_receiver(items: list[Field]) -> tuple[list[Agent], list[str]]:
    """:72: split into the /INS/ instructing institution (a bank in the chain) and the rest."""
    banks: list[Agent] = []
    rest: list[str] = []
    for line in _narrative(items, 6):
        if line.startswith("/INS/"):
            institution = line[5:].strip()
            key = "bic" if BIC.fullmatch(institution) else "name"
            banks.append(validated(Agent, {key: institution}, ":72:/INS/"))
        else:
            rest.append(line)
    return banks, rest
