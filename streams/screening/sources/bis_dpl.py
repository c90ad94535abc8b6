"""BIS Denied Persons List (dpl.txt): tab-separated, one row per name and address."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime, timezone
from pathlib import Path

from streams.errors import ListLoadError
from streams.screening.countries import country_code
from streams.screening.entities import Entity, EntityAddress, EntityType, ListSnapshot
from streams.screening.sources.common import (
    content_version,
    decode_text,
    looks_financial,
    read_bytes,
)

__all__ = ["LIST_ID", "HEADER", "load_dpl", "is_dpl"]

LIST_ID = "bis_dpl"
HEADER = (
    "Name", "Street_Address", "City", "State", "Country", "Postal_Code", "Effective_Date",
    "Expiration_Date", "Standard_Order", "Last_Update", "Action", "FR_Citation",
)
# The DPL does not say whether a name is a person; these words make it an organisation.
_ORG_WORDS = re.compile(
    r"\b(LTD|LIMITED|INC|INCORPORATED|CO|CORP|CORPORATION|COMPANY|GMBH|LLC|L\.L\.C|S\.A|SA|AG|"
    r"BV|PLC|PTE|PVT|FZE|FZCO|SARL|SRL|TRADING|TECH|TECHNOLOGY|TECHNOLOGIES|TECHNIK|"
    r"ENTERPRISES?|INDUSTR\w*|INTERNATIONAL|GROUP|SOLUTIONS|SERVICES|ELECTRONICS|AVIATION|"
    r"AIRLINES?|SYSTEMS|SUPPLY|SUPPLIES|EXPORTS?|IMPORTS?|HOLDINGS?|PARTNERS|ASSOCIATES|"
    r"LOGISTICS|ENGINEERING|DBA|D/B/A|AGENCY|INSTITUTE|UNIVERSITY|CENTER|CENTRE)\b"
)


def is_dpl(head: bytes) -> bool:
    """Whether the first bytes of a file are the DPL header row."""
    return head.lstrip(b"\xef\xbb\xbf").startswith(b'"Name"\t"Street_Address"')


def _clean(text: str) -> str | None:
    text = " ".join(text.split())
    return text or None


def load_dpl(path: Path) -> ListSnapshot:
    """Load the Denied Persons List, one Entity per distinct name with all its addresses."""
    data = read_bytes(path)
    text = decode_text(path, data)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter="\t", strict=True)
    grouped: dict[str, tuple[list[EntityAddress], list[str]]] = {}
    display: dict[str, str] = {}
    try:
        header = next(reader, None)
        if header is None or tuple(header) != HEADER:
            raise ListLoadError(str(path), f"header is not the DPL header {HEADER}", 1)
        for row in reader:
            if not row:
                continue
            if len(row) != len(HEADER):
                raise ListLoadError(
                    str(path), f"expected {len(HEADER)} columns, found {len(row)}", reader.line_num
                )
            name = _clean(row[0])
            if name is None:
                raise ListLoadError(str(path), "empty Name", reader.line_num)
            key = name.upper()
            display.setdefault(key, name)
            addresses, notes = grouped.setdefault(key, ([], []))
            country_name = _clean(row[4])
            addresses.append(EntityAddress(
                street=_clean(row[1]), city=_clean(row[2]), region=_clean(row[3]),
                postcode=_clean(row[5]), country=country_code(country_name),
                country_name=country_name,
            ))
            note = (f"effective {row[6]}, expires {row[7]}, {_clean(row[10]) or 'no action'}"
                    f", {_clean(row[11]) or 'no FR citation'}")
            if note not in notes:
                notes.append(note)
    except csv.Error as exc:
        raise ListLoadError(str(path), f"malformed TSV: {exc}", reader.line_num) from exc
    if not grouped:
        raise ListLoadError(str(path), "no entries")
    entities = tuple(
        _entity(display[key], addresses, notes) for key, (addresses, notes) in grouped.items()
    )
    return ListSnapshot(
        list_id=LIST_ID, version=content_version(data), source=str(path),
        loaded_at=datetime.now(timezone.utc), entities=entities,
    )


def _entity(name: str, addresses: list[EntityAddress], notes: list[str]) -> Entity:
    entry_id = "dpl-" + hashlib.sha256(name.upper().encode()).hexdigest()[:10]
    is_org = bool(_ORG_WORDS.search(name.upper()))
    countries: list[str] = []
    for address in addresses:
        if address.country and address.country not in countries:
            countries.append(address.country)
    return Entity(
        list_id=LIST_ID, entry_id=entry_id,
        type=EntityType.ORGANIZATION if is_org else EntityType.PERSON, name=name,
        programs=("DPL",), countries=tuple(countries), addresses=tuple(addresses),
        is_financial_institution=is_org and looks_financial((name,)),
        remarks="; ".join(notes),
    )
