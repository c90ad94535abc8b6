"""The role operators: list, identifier, set membership, country and text matches on one subject."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from streams.rules.context import Context, Finding, Subject, mask_account
from streams.rules.model import CountryIn, IdentifierMatch, ListMatch, MemberOf, TextMatch
from streams.rules.text import PhraseMatcher, compact_account, normalize_text
from streams.screening.entities import Entity

__all__ = ["Leaf", "SetTable", "country_in", "identifier_match", "list_match", "member_of",
           "text_match"]

Leaf = Callable[[Context, "Subject | None"], "list[Finding] | None"]
_IMO = re.compile(r"\bIMO\s*(?:No\.?|number|:|#)?\s*(\d{7})\b", re.IGNORECASE)


class SetTable:
    """The named sets of a rule set, prepared for fast lookup."""

    def __init__(self, sets: dict[str, Any]) -> None:
        self.values: dict[str, frozenset[str]] = {}
        self.phrases: dict[str, PhraseMatcher] = {}
        self.kinds: dict[str, str] = {}
        for name, named in sets.items():
            self.kinds[name] = named.kind
            if named.kind == "keywords":
                self.phrases[name] = PhraseMatcher(named.values)
            elif named.kind == "names":
                self.values[name] = frozenset(normalize_text(v) for v in named.values)
            elif named.kind == "bics":
                self.values[name] = frozenset(v[:8] for v in named.values)
            else:
                self.values[name] = frozenset(named.values)


def _programs_ok(programs: Iterable[str], wanted: list[str] | None) -> bool:
    if wanted is None:
        return True
    for have in programs:
        for want in wanted:
            if have == want or (want.endswith("*") and have.startswith(want[:-1])):
                return True
    return False


def _entity_finding(subject: Subject, field: str, value: str, entity: Entity,
                    explanation: str, score: float | None = None) -> Finding:
    return Finding(role=subject.role, field=field, value=value, explanation=explanation,
                   list=entity.list_id, entry_id=entity.entry_id, entry_name=entity.name,
                   programs=tuple(entity.programs), score=score)


def _name_hit_finding(subject: Subject, name: str, hit: Any) -> Finding:
    return Finding(role=subject.role, field="name", value=name, explanation=str(hit.explanation),
                   list=hit.list_id, entry_id=str(hit.entry_id), entry_name=hit.entry_name,
                   programs=tuple(hit.programs), score=float(hit.score))


def _type_name(value: Any) -> str:
    return str(getattr(value, "value", value))


def list_match(spec: ListMatch) -> Leaf:
    """Names of the subject screened against the lists, filtered by list, program, score, type."""
    lists = set(spec.lists) if spec.lists is not None else None
    types = set(spec.entity_types) if spec.entity_types is not None else None

    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        name = subject.name if subject is not None else None
        if subject is None or not name:
            return None
        found = [
            _name_hit_finding(subject, name, hit) for hit in ctx.screen(name)
            if hit.score >= spec.min_score
            and (lists is None or hit.list_id in lists)
            and (types is None or _type_name(hit.entity_type) in types)
            and _programs_ok(hit.programs, spec.programs)
        ]
        return found or None

    return evaluate


def _entities_ok(entities: Iterable[Entity], lists: set[str] | None,
                 programs: list[str] | None) -> list[Entity]:
    return [e for e in entities if (lists is None or e.list_id in lists)
            and _programs_ok(e.programs, programs)]


def identifier_match(spec: IdentifierMatch) -> Leaf:
    """BIC of a bank, account of a party, or IMO numbers in text, looked up on the lists."""
    lists = set(spec.lists) if spec.lists is not None else None

    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        if subject is None:
            return None
        found: list[Finding] = []
        if "bic" in spec.kinds and subject.agent is not None and subject.agent.bic:
            bic = subject.agent.bic
            for entity in _entities_ok(ctx.lists.by_identifier("bic", bic), lists, spec.programs):
                found.append(_entity_finding(subject, "bic", bic, entity,
                                             f"BIC {bic} is listed for {entity.name}"))
        if "account" in spec.kinds and subject.party is not None and subject.party.account:
            account = compact_account(subject.party.account)
            for entity in _entities_ok(ctx.lists.by_identifier("account", account), lists,
                                       spec.programs):
                found.append(_entity_finding(subject, "account", mask_account(account), entity,
                                             f"account {mask_account(account)} is listed for "
                                             f"{entity.name}"))
        if "imo" in spec.kinds:
            for text in (subject.text, subject.name):
                for imo in _IMO.findall(text or ""):
                    for entity in _entities_ok(ctx.lists.by_identifier("imo", imo), lists,
                                               spec.programs):
                        found.append(_entity_finding(subject, "imo", imo, entity,
                                                     f"IMO {imo} is listed: {entity.name}"))
        return found or None

    return evaluate


def member_of(spec: MemberOf, sets: SetTable) -> Leaf:
    """The subject's bank or name belongs to a named set, the NK-linked banks or one list."""
    set_name = spec.set
    list_id = set_name[5:] if set_name.startswith("list:") else None

    def in_view(ctx: Context, entity: Entity | None) -> bool:
        if entity is None:
            return False
        if list_id is not None:
            return entity.list_id == list_id
        return ctx.lists.nk_banks.contains(entity)

    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        if subject is None:
            return None
        found: list[Finding] = []
        bic = subject.agent.bic if subject.agent is not None and "bic" in spec.by else None
        name = subject.name if "name" in spec.by else None
        if set_name in sets.kinds:
            kind, values = sets.kinds[set_name], sets.values[set_name]
            if kind == "bics" and bic and bic[:8] in values:
                found.append(Finding(subject.role, "bic", bic, f"BIC {bic} is in set {set_name}"))
            if kind == "names" and name and normalize_text(name) in values:
                found.append(Finding(subject.role, "name", name,
                                     f"name {name!r} is in set {set_name}"))
            if kind == "countries":
                return country_in(CountryIn(set=set_name), sets)(ctx, subject)
            return found or None
        if bic:
            if list_id is None:
                reasons = ctx.lists.nk_banks.reasons_for_bic(bic)
                if reasons:
                    found.append(Finding(subject.role, "bic", bic,
                                         f"BIC {bic} is a North Korea-linked bank: "
                                         + "; ".join(reasons)))
            else:
                for entity in ctx.lists.by_identifier("bic", bic):
                    if entity.list_id == list_id:
                        found.append(_entity_finding(subject, "bic", bic, entity,
                                                     f"BIC {bic} is on list {list_id}"))
        if name:
            for hit in ctx.screen(name):
                if hit.score >= spec.min_score and in_view(ctx, ctx.lists.get(hit.list_id,
                                                                              str(hit.entry_id))):
                    finding = _name_hit_finding(subject, name, hit)
                    found.append(finding)
        return found or None

    return evaluate


def _countries(subject: Subject, fields: Sequence[str]) -> list[tuple[str, str]]:
    holder = subject.party if subject.party is not None else subject.agent
    out: list[tuple[str, str]] = []
    if holder is None:
        return out
    if "country" in fields and holder.country:
        out.append(("country", holder.country))
    if "address_country" in fields and holder.address is not None and holder.address.country:
        out.append(("address.country", holder.address.country))
    if "bic_country" in fields and subject.agent is not None and subject.agent.bic:
        out.append(("bic", subject.agent.bic))
    return out


def country_in(spec: CountryIn, sets: SetTable) -> Leaf:
    """A country of the subject (residence, address, BIC letters 5-6) is in the set."""
    wanted = frozenset(spec.values) if spec.values is not None else sets.values[spec.set or ""]
    label = spec.set or ",".join(sorted(wanted))

    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        if subject is None:
            return None
        found = []
        for field, value in _countries(subject, spec.fields):
            country = value[4:6] if field == "bic" else value
            if country in wanted:
                what = f"BIC {value} is in country {country}" if field == "bic" else \
                    f"{field} {country}"
                found.append(Finding(subject.role, field, value, f"{what}, which is in {label}"))
        return found or None

    return evaluate


def text_match(spec: TextMatch, sets: SetTable) -> Leaf:
    """Keywords or phrases in the subject's free text, name or address, on word boundaries."""
    matcher = sets.phrases[spec.set] if spec.set is not None else PhraseMatcher(spec.keywords or [])
    cancel = PhraseMatcher(spec.unless) if spec.unless else None
    label = spec.set or "keywords"

    def texts(subject: Subject) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if "text" in spec.fields and subject.text:
            out.append(("text", subject.text))
        if "name" in spec.fields and subject.name:
            out.append(("name", subject.name))
        holder = subject.party if subject.party is not None else subject.agent
        if "address" in spec.fields and holder is not None and holder.address is not None:
            parts = [holder.address.street, holder.address.town]
            joined = ", ".join(p for p in parts if p)
            if joined:
                out.append(("address", joined))
        return out

    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        if subject is None:
            return None
        found = []
        for field, text in texts(subject):
            phrases = matcher.find(text)
            if phrases and not (cancel is not None and cancel.find(text)):
                found.append(Finding(subject.role, field, text,
                                     f"{field} mentions {', '.join(repr(p) for p in phrases)} "
                                     f"({label})"))
        return found or None

    return evaluate
