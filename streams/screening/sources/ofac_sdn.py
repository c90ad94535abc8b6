"""OFAC SDN legacy CSV set: sdn.csv with alt.csv, add.csv and sdn_comments.csv beside it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from streams.errors import ListLoadError
from streams.screening.countries import country_code
from streams.screening.entities import (
    Alias,
    Entity,
    EntityAddress,
    EntityType,
    Identifier,
    ListSnapshot,
)
from streams.screening.sources.common import (
    content_version,
    decode_text,
    looks_financial,
    read_bytes,
)
from streams.screening.sources.remarks import parse_remarks

__all__ = ["LIST_ID", "COMPANION_FILES", "load_sdn_csv"]

LIST_ID = "ofac_sdn"
COMPANION_FILES = ("alt.csv", "add.csv", "sdn_comments.csv")
_EOF = "\x1a"
_TYPES = {
    "individual": EntityType.PERSON, "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT, "": EntityType.ORGANIZATION,
}
_ALT_TYPES = frozenset({"aka", "fka", "nka"})


@dataclass(slots=True)
class _Draft:
    """The columns of one sdn.csv row and what the companion files add to it."""

    row: list[str]
    aliases: list[Alias] = field(default_factory=list)
    addresses: list[EntityAddress] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)


def _value(text: str) -> str | None:
    """A column's value, None for OFAC's empty marker `-0-`."""
    text = text.strip()
    return None if text in ("-0-", "") else text


Rows = Iterator[tuple[int, list[str]]]


def _rows(path: Path, columns: int, needs_eof: bool) -> tuple[bytes, Rows]:
    data = read_bytes(path)
    text = decode_text(path, data)
    if text.endswith(_EOF):
        text = text[:-1]
    elif needs_eof and not text.endswith("\n"):
        # The issuer's files end with 0x1A; without it, accept only a file whose last record
        # is complete (ends with a line break), so a download cut mid-record is refused.
        lines = max(len(text.splitlines()), 1)
        raise ListLoadError(
            str(path), "truncated: no end-of-file marker 0x1A and the last line is incomplete",
            lines,
        )

    def rows() -> Rows:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            for row in reader:
                if not row:
                    continue
                if len(row) != columns:
                    raise ListLoadError(
                        str(path), f"expected {columns} columns, found {len(row)}", reader.line_num
                    )
                yield reader.line_num, row
        except csv.Error as exc:
            raise ListLoadError(str(path), f"malformed CSV: {exc}", reader.line_num) from exc

    return data, rows()


def _ent_num(path: Path, line: int, text: str) -> str:
    value = text.strip()
    if not value.isdigit():
        raise ListLoadError(str(path), f"ent_num is not a number: {value!r}", line)
    return str(int(value))


def _owner(path: Path, line: int, text: str, drafts: dict[str, _Draft]) -> _Draft:
    ent_num = _ent_num(path, line, text)
    draft = drafts.get(ent_num)
    if draft is None:
        raise ListLoadError(str(path), f"ent_num {ent_num} is not in sdn.csv", line)
    return draft


def load_sdn_csv(sdn_path: Path) -> ListSnapshot:
    """Load the SDN list from sdn.csv and the companion files found in the same directory."""
    sdn_data, sdn_rows = _rows(sdn_path, 12, needs_eof=True)
    drafts: dict[str, _Draft] = {}
    for line, row in sdn_rows:
        ent_num = _ent_num(sdn_path, line, row[0])
        if ent_num in drafts:
            raise ListLoadError(str(sdn_path), f"duplicate ent_num {ent_num}", line)
        if not _value(row[1]):
            raise ListLoadError(str(sdn_path), f"ent_num {ent_num} has no SDN_Name", line)
        if (_value(row[2]) or "") not in _TYPES:
            raise ListLoadError(str(sdn_path), f"unknown SDN_Type {row[2].strip()!r}", line)
        drafts[ent_num] = _Draft(row)
    if not drafts:
        raise ListLoadError(str(sdn_path), "no entries")
    parts = [sdn_data]
    folder = sdn_path.parent
    if (alt := folder / "alt.csv").is_file():
        data, rows = _rows(alt, 5, needs_eof=True)
        parts.append(data)
        for line, row in rows:
            draft = _owner(alt, line, row[0], drafts)
            kind, name = (_value(row[2]) or "").lower(), _value(row[3])
            if kind not in _ALT_TYPES or not name:
                raise ListLoadError(str(alt), f"bad alias type {row[2]!r} or empty name", line)
            draft.aliases.append(Alias(name, kind, "strong"))
    if (add := folder / "add.csv").is_file():
        data, rows = _rows(add, 6, needs_eof=True)
        parts.append(data)
        for line, row in rows:
            draft = _owner(add, line, row[0], drafts)
            country_name = _value(row[4])
            draft.addresses.append(EntityAddress(
                street=_value(row[2]), city=_value(row[3]),
                country=country_code(country_name), country_name=country_name,
            ))
    if (comments := folder / "sdn_comments.csv").is_file():
        data, rows = _rows(comments, 2, needs_eof=False)
        parts.append(data)
        for line, row in rows:
            _owner(comments, line, row[0], drafts).overflow.append(row[1])
    entities = tuple(_entity(ent_num, draft) for ent_num, draft in drafts.items())
    return ListSnapshot(
        list_id=LIST_ID, version=content_version(*parts), source=str(sdn_path),
        loaded_at=datetime.now(timezone.utc), entities=entities,
    )


def _entity(ent_num: str, draft: _Draft) -> Entity:
    row = draft.row
    entity_type = _TYPES[_value(row[2]) or ""]
    remarks_text = (_value(row[11]) or "") + "".join(draft.overflow)
    facts = parse_remarks(remarks_text, entity_type)
    programs = tuple(p.strip() for p in (_value(row[3]) or "").split("] [") if p.strip())
    identifiers = list(facts.identifiers)
    if call_sign := _value(row[5]):
        identifiers.append(Identifier("call_sign", call_sign))
    countries = list(facts.countries)
    flag = country_code(_value(row[9]))
    for code in (flag, *(a.country for a in draft.addresses)):
        if code and code not in countries:
            countries.append(code)
    aliases = (*draft.aliases, *facts.aliases)
    name = _value(row[1]) or ""
    financial = any(i.kind == "bic" for i in identifiers) or (
        entity_type is EntityType.ORGANIZATION
        and looks_financial((name, *(a.name for a in aliases), *facts.organization_types))
    )
    return Entity(
        list_id=LIST_ID, entry_id=ent_num, type=entity_type, name=name, aliases=aliases,
        programs=programs, countries=tuple(countries), identifiers=tuple(identifiers),
        addresses=tuple(draft.addresses), birth_dates=tuple(facts.birth_dates),
        is_financial_institution=financial, remarks=remarks_text or None,
    )
