"""Custom lists kept by rule authors: YAML validated with pydantic, errors with line and field."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from streams.errors import ListLoadError
from streams.screening.countries import country_code
from streams.screening.entities import (
    Alias,
    Entity,
    EntityAddress,
    EntityType,
    Identifier,
    ListSnapshot,
    bic_country,
    normalize_bic,
    normalize_imo,
)
from streams.screening.sources.common import (
    content_version,
    decode_text,
    looks_financial,
    read_bytes,
)

__all__ = ["CustomList", "CustomEntry", "load_custom_yaml", "DPRK_LINKED_TAG"]

DPRK_LINKED_TAG = "dprk-linked"  # a list tag: every entry is part of the North Korea-linked view
IdentifierKind = Literal[
    "bic", "imo", "passport", "national_id", "tax_id", "duns", "registration",
    "digital_currency", "mmsi", "call_sign", "aircraft_serial", "other",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class CustomAlias(_Strict):
    """An alias with its kind and quality."""

    name: str = Field(min_length=1)
    kind: str = "aka"
    quality: str | None = None


class CustomIdentifier(_Strict):
    """An identifier other than a BIC (BICs go in `bics`)."""

    kind: IdentifierKind
    value: str = Field(min_length=1)
    country: str | None = None
    note: str | None = None


class CustomAddress(_Strict):
    """A postal address; `country` is a name or an ISO alpha-2 code."""

    street: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None


def _known_country(value: str) -> str:
    code = country_code(value)
    if code is None:
        raise ValueError(f"unknown country {value!r}")
    return code


class CustomEntry(_Strict):
    """One entry of a custom list; `source` says where the facts come from."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
    name: str = Field(min_length=1)
    type: EntityType = EntityType.ORGANIZATION
    aliases: list[str | CustomAlias] = Field(default_factory=list)
    programs: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    bics: list[str] = Field(default_factory=list)
    identifiers: list[CustomIdentifier] = Field(default_factory=list)
    addresses: list[CustomAddress] = Field(default_factory=list)
    birth_dates: list[str] = Field(default_factory=list)
    financial_institution: bool | None = None
    reason: str | None = None
    source: str = Field(min_length=1)

    @field_validator("countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        return [_known_country(v) for v in values]

    @field_validator("bics")
    @classmethod
    def _bics(cls, values: list[str]) -> list[str]:
        bics = []
        for value in values:
            bic = normalize_bic(value)
            if bic is None:
                raise ValueError(
                    f"not a BIC (4 letters, 2-letter country, 2 + optional 3): {value!r}"
                )
            bics.append(bic)
        return bics


class CustomList(_Strict):
    """A custom list file: its id, a description, tags and entries."""

    list_id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    description: str | None = None
    version: str | None = None
    tags: list[str] = Field(default_factory=list)
    entries: list[CustomEntry] = Field(min_length=1)


def load_custom_yaml(path: Path) -> ListSnapshot:
    """Load one custom list file; a bad file fails with its line and field."""
    data = read_bytes(path)
    text = decode_text(path, data)
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            raw = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or exc
        raise ListLoadError(str(path), f"not valid YAML: {problem}", line) from exc
    if not isinstance(raw, dict):
        raise ListLoadError(
            str(path), "a custom list is a mapping with list_id, name and entries", 1
        )
    try:
        parsed = CustomList.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        field = ".".join(str(p) for p in loc) or "(file)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ListLoadError(
            str(path), f"[{field}] {error['msg']}{more}", _line_of(node, loc)
        ) from exc
    seen: dict[str, int] = {}
    for index, entry in enumerate(parsed.entries):
        if entry.id in seen:
            raise ListLoadError(
                str(path), f"[entries.{index}.id] duplicate entry id {entry.id!r}",
                _line_of(node, ("entries", index, "id")),
            )
        seen[entry.id] = index
    entities = tuple(_entity(parsed.list_id, entry) for entry in parsed.entries)
    return ListSnapshot(
        list_id=parsed.list_id, version=parsed.version or content_version(data),
        source=str(path), loaded_at=datetime.now(timezone.utc), entities=entities,
        tags=tuple(parsed.tags),
    )


def _line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location (deepest one found)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _entity(list_id: str, entry: CustomEntry) -> Entity:
    aliases = tuple(
        Alias(a) if isinstance(a, str) else Alias(a.name, a.kind, a.quality) for a in entry.aliases
    )
    identifiers = [Identifier("bic", b, bic_country(b)) for b in entry.bics]
    for item in entry.identifiers:
        value = item.value
        if item.kind == "bic":
            value = normalize_bic(value) or value
        elif item.kind == "imo":
            value = normalize_imo(value) or value
        identifiers.append(Identifier(item.kind, value, country_code(item.country), item.note))
    addresses = tuple(
        EntityAddress(a.street, a.city, a.region, a.postcode, country_code(a.country), a.country)
        for a in entry.addresses
    )
    countries = list(entry.countries)
    for address in addresses:
        if address.country and address.country not in countries:
            countries.append(address.country)
    financial = entry.financial_institution
    if financial is None:
        financial = bool(entry.bics) or (
            entry.type is EntityType.ORGANIZATION
            and looks_financial((entry.name, *(a.name for a in aliases)))
        )
    remarks = " ".join(p for p in (entry.reason, f"Source: {entry.source}") if p)
    return Entity(
        list_id=list_id, entry_id=entry.id, type=entry.type, name=entry.name, aliases=aliases,
        programs=tuple(entry.programs), countries=tuple(countries), identifiers=tuple(identifiers),
        addresses=addresses, birth_dates=tuple(entry.birth_dates),
        is_financial_institution=financial, remarks=remarks,
    )

