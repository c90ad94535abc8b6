"""Structured facts in OFAC SDN remarks: identifiers, weak a.k.a.s, nationality, dates of birth."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from streams.screening.countries import country_code
from streams.screening.entities import (
    Alias,
    EntityType,
    Identifier,
    bic_country,
    normalize_bic,
    normalize_imo,
)

__all__ = ["RemarkFacts", "parse_remarks"]

# Remark label -> identifier kind, longest labels first so "Company Number IMO" wins.
_LABELS: tuple[tuple[str, str], ...] = tuple(sorted((
    ("SWIFT/BIC", "bic"),
    ("Vessel Registration Identification IMO", "imo"),
    ("Vessel Registration Identification", "imo"),
    ("Identification Number IMO", "imo"),
    ("Company Number IMO", "registration"),
    ("Passport", "passport"), ("Diplomatic Passport", "passport"),
    ("National ID No.", "national_id"), ("National Foreign ID Number", "national_id"),
    ("Cedula No.", "national_id"), ("D.N.I.", "national_id"), ("C.U.R.P.", "national_id"),
    ("Personal ID Card", "national_id"), ("Electoral Registry No.", "national_id"),
    ("Credencial electoral", "national_id"), ("SSN", "national_id"),
    ("Identification Number", "national_id"), ("Residency Number", "national_id"),
    ("Stateless Person ID Card", "national_id"), ("Refugee ID Card", "national_id"),
    ("R.F.C.", "tax_id"), ("RFC", "tax_id"), ("Tax ID No.", "tax_id"), ("V.A.T. Number", "tax_id"),
    ("NIT #", "tax_id"), ("RUC #", "tax_id"), ("Italian Fiscal Code", "tax_id"),
    ("C.U.I.T.", "tax_id"), ("C.U.I.P.", "tax_id"), ("Fiscal Code", "tax_id"),
    ("D-U-N-S Number", "duns"),
    ("Registration Number", "registration"), ("Registration ID", "registration"),
    ("Company Number", "registration"), ("Business Registration Number", "registration"),
    ("Commercial Registry Number", "registration"), ("Folio Mercantil No.", "registration"),
    ("Matricula Mercantil No", "registration"), ("Chamber of Commerce Number", "registration"),
    ("Trade License No.", "registration"), ("C.R. No.", "registration"),
    ("Government Gazette Number", "registration"), ("Public Registration Number", "registration"),
    ("Legal Entity Number", "registration"), ("Enterprise Number", "registration"),
    ("Certificate of Incorporation Number", "registration"),
    ("Unified Social Credit Code (USCC)", "registration"),
    ("Business Number", "registration"), ("License", "registration"),
    ("MMSI", "mmsi"),
    ("Aircraft Manufacturer's Serial Number (MSN)", "aircraft_serial"),
    ("Aircraft Tail Number", "registration"),
    ("Driver's License No.", "other"), ("RIF #", "tax_id"), ("US FEIN", "tax_id"),
    ("RTN", "tax_id"),
    ("Business Registration Document #", "registration"), ("UK Company Number", "registration"),
    ("Cartilla de Servicio Militar Nacional", "national_id"), ("BIK (RU)", "other"),
    ("Birth Certificate Number", "national_id"), ("Registered Charity No.", "registration"),
    ("LE Number", "registration"), ("Branch Unit Number", "registration"),
    ("Turkish Identification Number", "national_id"), ("Numero de Identidad", "national_id"),
    ("Citizen's Card Number", "national_id"), ("Kenyan ID No.", "national_id"),
    ("United Social Credit Code Certificate (USCCC)", "registration"),
    ("Travel Document Number", "passport"), ("I.F.E.", "national_id"), ("C.U.I.", "national_id"),
    ("Tazkira National ID Card", "national_id"),
    ("Aircraft Serial Identification", "aircraft_serial"),
    ("Aircraft Construction Number (also called L/N or S/N or F/N)", "aircraft_serial"),
    ("Immigration No.", "other"), ("VisaNumberID", "other"), ("File Number", "registration"),
    ("Dubai Chamber of Commerce Membership No.", "registration"),
    ("Aircraft Mode S Transponder Code", "other"),
), key=lambda item: -len(item[0])))

_LABEL_RE = re.compile(
    r"(?P<label>" + "|".join(re.escape(label) for label, _ in _LABELS) + r")\s+(?P<rest>.+)"
)
_LABEL_KIND = dict(_LABELS)
_VALUE_RE = re.compile(
    r"(?P<value>.+?)(?:\s+\((?P<country>[^)]*)\))?"
    r"(?:\s+(?:issued|expires|Expiration|Issue Date|Expiration Date)\b.*)?"
)
_ALIAS_RE = re.compile(r"(?P<kind>a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s+'(?P<name>.+)'")
_CURRENCY_RE = re.compile(r"Digital Currency Address - (?P<currency>\S+)\s+(?P<address>\S+)")
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


@dataclass(slots=True)
class RemarkFacts:
    """What the remarks of one SDN entry say in a form screening can use."""

    identifiers: list[Identifier] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    organization_types: list[str] = field(default_factory=list)


def parse_remarks(remarks: str, entity_type: EntityType) -> RemarkFacts:
    """Parse the `;`-separated facts of an SDN Remarks field (with its overflow appended)."""
    facts = RemarkFacts()
    for raw in remarks.split(";"):
        part = raw.strip()
        if part.startswith("alt. "):
            part = part[5:].lstrip()
        if part.endswith("."):
            part = part[:-1].rstrip()
        if part:
            _parse_part(part, entity_type, facts)
    return facts


def _parse_part(part: str, entity_type: EntityType, facts: RemarkFacts) -> None:
    if match := _ALIAS_RE.fullmatch(part):
        kind = match["kind"].replace(".", "")
        facts.aliases.append(Alias(match["name"].strip(), kind, "weak"))
    elif part.startswith("DOB "):
        facts.birth_dates.append(_birth_date(part[4:]))
    elif part.startswith(("nationality ", "citizen ")):
        code = country_code(part.split(" ", 1)[1])
        if code and code not in facts.countries:
            facts.countries.append(code)
    elif match := _CURRENCY_RE.match(part):
        facts.identifiers.append(
            Identifier("digital_currency", match["address"], note=match["currency"])
        )
    elif part.startswith("Organization Type: "):
        facts.organization_types.append(part[len("Organization Type: "):])
    elif match := _LABEL_RE.fullmatch(part):
        identifier = _identifier(match["label"], match["rest"], entity_type)
        if identifier is not None:
            facts.identifiers.append(identifier)


def _identifier(label: str, rest: str, entity_type: EntityType) -> Identifier | None:
    kind = _LABEL_KIND[label]
    found = _VALUE_RE.fullmatch(rest)
    value = (found["value"] if found else rest).strip()
    country_name = found["country"] if found else None
    country = country_code(country_name) if country_name else None
    note = label if kind in ("registration", "national_id", "tax_id", "other") else None
    if country_name and country is None:
        note = f"{note or label} ({country_name})"
    if kind == "bic":
        bic = normalize_bic(value)
        if bic is None:
            return Identifier("other", value, None, label)
        return Identifier("bic", bic, bic_country(bic))
    if kind == "imo":
        imo = normalize_imo(value)
        if imo is None:
            return Identifier("other", value, country, label)
        if label == "Identification Number IMO" and entity_type is not EntityType.VESSEL:
            return Identifier("registration", imo, country, "IMO company number")
        return Identifier("imo", imo, country)
    if label == "Company Number IMO":
        return Identifier("registration", value, country, "IMO company number")
    if label == "Identification Number" and entity_type is not EntityType.PERSON:
        kind = "registration"
    if not value:
        return None
    return Identifier(kind, value, country, note)


def _birth_date(text: str) -> str:
    """"10 Sep 1962" -> "1962-09-10", "Sep 1962" -> "1962-09", "1960 to 1962" -> "1960/1962"."""
    text = text.removeprefix("circa ").strip()
    if " to " in text:
        start, end = text.split(" to ", 1)
        return f"{_birth_date(start)}/{_birth_date(end)}"
    bits = text.split()
    if len(bits) == 3 and bits[1] in _MONTHS and bits[0].isdigit() and bits[2].isdigit():
        return f"{bits[2]}-{_MONTHS[bits[1]]:02d}-{int(bits[0]):02d}"
    if len(bits) == 2 and bits[0] in _MONTHS and bits[1].isdigit():
        return f"{bits[1]}-{_MONTHS[bits[0]]:02d}"
    return text
