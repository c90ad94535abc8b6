"""The one entity model that every list loader produces and the screener and rules share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import lru_cache

_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")


class EntityType(str, Enum):
    """What a listed entry is."""

    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"


@dataclass(frozen=True, slots=True)
class Alias:
    """A name an entry is known by, other than its primary name."""

    name: str
    kind: str = "aka"  # aka, fka, nka, original_script, ...
    quality: str | None = None  # as the list says: OFAC weak/strong, UN Good/Low quality


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier the list gives for an entry; `kind` is one of IDENTIFIER_KINDS."""

    kind: str
    value: str  # normalised: BIC upper-case 8 or 11 chars, IMO digits only, others stripped
    country: str | None = None
    note: str | None = None


IDENTIFIER_KINDS = (
    "bic", "imo", "passport", "national_id", "tax_id", "duns", "registration",
    "digital_currency", "mmsi", "call_sign", "aircraft_serial", "other",
)


@dataclass(frozen=True, slots=True)
class EntityAddress:
    """A postal address of a listed entry."""

    street: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None  # ISO 3166 alpha-2 where the loader can map it
    country_name: str | None = None  # as the list wrote it


@dataclass(frozen=True, slots=True)
class Entity:
    """One listed entry: a person, organisation, vessel or aircraft on one list."""

    list_id: str  # "ofac_sdn", "un_sc", "bis_dpl", or a custom list's id
    entry_id: str  # the list's own id: OFAC ent_num, UN REFERENCE_NUMBER, ...
    type: EntityType
    name: str
    aliases: tuple[Alias, ...] = ()
    programs: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # ISO alpha-2: nationality, citizenship, address countries
    identifiers: tuple[Identifier, ...] = ()
    addresses: tuple[EntityAddress, ...] = ()
    birth_dates: tuple[str, ...] = ()
    is_financial_institution: bool = False
    remarks: str | None = None

    @property
    def key(self) -> str:
        """The entry's global key, `list_id:entry_id`."""
        return f"{self.list_id}:{self.entry_id}"

    def all_names(self) -> tuple[str, ...]:
        """The primary name followed by every alias."""
        return (self.name, *(a.name for a in self.aliases))

    def identifier_values(self, kind: str) -> tuple[str, ...]:
        """The values of one identifier kind, such as "bic"."""
        return tuple(i.value for i in self.identifiers if i.kind == kind)


@dataclass(frozen=True, slots=True)
class ListSnapshot:
    """One loaded list: its entries, its version and where it came from."""

    list_id: str
    version: str  # publication date where the file has one, else "sha256:<16 hex>"
    source: str
    loaded_at: datetime
    entities: tuple[Entity, ...] = field(default=())
    tags: tuple[str, ...] = ()  # custom lists: e.g. "dprk-linked" puts every entry in the NK view


_BIC_SEPARATORS = re.compile(r"[\s-]+")


@lru_cache(maxsize=16_384)
def normalize_bic(value: str) -> str | None:
    """A BIC as 8 or 11 upper-case characters (branch "XXX" dropped), or None if not a BIC."""
    text = _BIC_SEPARATORS.sub("", value).upper()
    if not _BIC.fullmatch(text):
        return None
    return text[:8] if text.endswith("XXX") else text


def bic_country(bic: str) -> str:
    """The ISO country code in a BIC: its letters 5 and 6."""
    return bic[4:6].upper()


def normalize_imo(value: str) -> str | None:
    """An IMO number as its 7 digits ("IMO 9137960" -> "9137960"), or None."""
    digits = re.sub(r"\D", "", value)
    return digits if len(digits) == 7 else None
