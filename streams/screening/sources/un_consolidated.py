"""UN Security Council consolidated list (XML, root CONSOLIDATED_LIST), parsed with defusedxml."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

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
from streams.screening.sources.common import content_version, looks_financial, read_bytes

__all__ = ["LIST_ID", "load_un_xml", "is_un_xml"]

LIST_ID = "un_sc"
ROOT_TAG = "CONSOLIDATED_LIST"
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_DOCUMENT_KINDS = {"passport": "passport", "national identification number": "national_id"}


def is_un_xml(head: bytes) -> bool:
    """Whether the first bytes of a file look like the UN consolidated list."""
    return ROOT_TAG.encode() in head[:4096]


def _text(element: Element | None) -> str | None:
    """An element's text with whitespace collapsed, None when empty."""
    if element is None or element.text is None:
        return None
    text = " ".join(element.text.split())
    return text or None


def _values(record: Element, path: str) -> list[str]:
    return [t for e in record.findall(path) if (t := _text(e))]


def load_un_xml(path: Path) -> ListSnapshot:
    """Load the UN consolidated list: every INDIVIDUAL and ENTITY becomes one Entity."""
    data = read_bytes(path)
    try:
        root = SafeET.fromstring(data)
    except ParseError as exc:
        line, column = exc.position
        reason = f"malformed XML at column {column}: {exc.msg}"
        raise ListLoadError(str(path), reason, line) from exc
    except DefusedXmlException as exc:
        raise ListLoadError(str(path), f"refused unsafe XML: {exc}") from exc
    if root.tag != ROOT_TAG:
        raise ListLoadError(str(path), f"root element is <{root.tag}>, expected <{ROOT_TAG}>")
    sections = {tag: root.find(tag) for tag in ("INDIVIDUALS", "ENTITIES")}
    for tag, section in sections.items():
        if section is None:
            raise ListLoadError(str(path), f"no <{tag}> element (truncated or not the UN list?)")
    entities: list[Entity] = []
    seen: set[str] = set()
    kinds = (("INDIVIDUAL", "INDIVIDUALS", EntityType.PERSON),
             ("ENTITY", "ENTITIES", EntityType.ORGANIZATION))
    for tag, section_tag, entity_type in kinds:
        section = sections[section_tag]
        assert section is not None  # noqa: S101 - checked above
        for index, record in enumerate(section.findall(tag), 1):
            try:
                entity = _entity(tag, index, record, entity_type)
                if entity.entry_id in seen:
                    duplicate = entity.entry_id
                    raise ValueError(f"<{tag}> #{index}: duplicate REFERENCE_NUMBER {duplicate}")
            except ValueError as exc:
                where = _element_line(data, tag, index)
                raise ListLoadError(str(path), str(exc), where) from exc
            seen.add(entity.entry_id)
            entities.append(entity)
    if not entities:
        raise ListLoadError(str(path), "no INDIVIDUAL or ENTITY records")
    version = root.get("dateGenerated") or content_version(data)
    return ListSnapshot(
        list_id=LIST_ID, version=version, source=str(path),
        loaded_at=datetime.now(timezone.utc), entities=tuple(entities),
    )


def _element_line(data: bytes, tag: str, index: int) -> int | None:
    """The line where the index-th (1-based) <tag> element starts; only used for errors."""
    position = -1
    for _ in range(index):
        position = data.find(f"<{tag}>".encode(), position + 1)
        if position < 0:
            return None
    return data.count(b"\n", 0, position) + 1


def _entity(tag: str, index: int, record: Element, entity_type: EntityType) -> Entity:
    """One record as an Entity; ValueError says what is wrong with it."""
    reference = _text(record.find("REFERENCE_NUMBER"))
    where = f"<{tag}> #{index} ({reference or 'no REFERENCE_NUMBER'})"
    if reference is None:
        raise ValueError(f"{where}: missing REFERENCE_NUMBER")
    parts = (_NAME_PARTS if entity_type is EntityType.PERSON else _NAME_PARTS[:1])
    name = " ".join(t for p in parts if (t := _text(record.find(p))))
    if not name:
        raise ValueError(f"{where}: missing FIRST_NAME")
    aliases = _aliases(record, tag)
    countries: list[str] = []
    for value in _values(record, "NATIONALITY/VALUE"):
        if (code := country_code(value)) and code not in countries:
            countries.append(code)
    addresses = tuple(_address(e) for e in record.findall(f"{tag}_ADDRESS"))
    for address in addresses:
        if address.country and address.country not in countries:
            countries.append(address.country)
    comments = _text(record.find("COMMENTS1"))
    financial = entity_type is EntityType.ORGANIZATION and looks_financial(
        (name, *(a.name for a in aliases))
    )
    return Entity(
        list_id=LIST_ID, entry_id=reference, type=entity_type, name=name, aliases=aliases,
        programs=tuple(_values(record, "UN_LIST_TYPE")), countries=tuple(countries),
        identifiers=tuple(_documents(record)), addresses=addresses,
        birth_dates=tuple(_birth_dates(record)), is_financial_institution=financial,
        remarks=comments,
    )


def _aliases(record: Element, tag: str) -> tuple[Alias, ...]:
    aliases: list[Alias] = []
    for element in record.findall(f"{tag}_ALIAS"):
        name = _text(element.find("ALIAS_NAME"))
        if not name:
            continue
        quality = _text(element.find("QUALITY"))
        kind = "fka" if quality == "f.k.a." else "aka"
        aliases.append(Alias(name.strip('"'), kind, quality))
    for script in _values(record, "NAME_ORIGINAL_SCRIPT"):
        aliases.append(Alias(script, "original_script"))
    return tuple(aliases)


def _address(element: Element) -> EntityAddress:
    country_name = _text(element.find("COUNTRY"))
    return EntityAddress(
        street=_text(element.find("STREET")), city=_text(element.find("CITY")),
        region=_text(element.find("STATE_PROVINCE")), postcode=_text(element.find("ZIP_CODE")),
        country=country_code(country_name), country_name=country_name,
    )


def _documents(record: Element) -> list[Identifier]:
    identifiers: list[Identifier] = []
    for element in record.findall("INDIVIDUAL_DOCUMENT"):
        number = _text(element.find("NUMBER"))
        if not number:
            continue
        doc_type = _text(element.find("TYPE_OF_DOCUMENT")) or ""
        folded = doc_type.lower().replace("numéro de passeport", "passport")
        folded = folded.replace("número de pasaporte", "passport")
        kind = _DOCUMENT_KINDS.get(folded.strip(), "other")
        issuer = _text(element.find("ISSUING_COUNTRY")) or _text(element.find("COUNTRY_OF_ISSUE"))
        notes = [n for n in (doc_type if kind == "other" else None,
                             _text(element.find("TYPE_OF_DOCUMENT2")),
                             _text(element.find("NOTE"))) if n]
        identifiers.append(
            Identifier(kind, number, country_code(issuer), "; ".join(notes) or None)
        )
    return identifiers


def _birth_dates(record: Element) -> list[str]:
    dates: list[str] = []
    for element in record.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        start, end = _text(element.find("FROM_YEAR")), _text(element.find("TO_YEAR"))
        if start and end:
            dates.append(f"{start}/{end}")
        elif value := _text(element.find("DATE")) or _text(element.find("YEAR")):
            dates.append(value)
    return dates
