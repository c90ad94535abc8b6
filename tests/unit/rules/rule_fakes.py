"""Small list sets and a simple name screener for the rule engine tests."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from streams.rules.text import normalize_text
from streams.screening.entities import Alias, Entity, EntityType, Identifier
from streams.screening.screener import NameHit


def _entity(list_id: str, entry_id: str, name: str, type_: EntityType, programs: tuple[str, ...],
            *, bic: str | None = None, aliases: tuple[str, ...] = (),
            countries: tuple[str, ...] = (), account: str | None = None,
            imo: str | None = None) -> Entity:
    identifiers = []
    if bic:
        identifiers.append(Identifier("bic", bic))
    if account:
        identifiers.append(Identifier("account", account))
    if imo:
        identifiers.append(Identifier("imo", imo))
    return Entity(list_id=list_id, entry_id=entry_id, type=type_, name=name,
                  aliases=tuple(Alias(a) for a in aliases), programs=programs,
                  countries=countries, identifiers=tuple(identifiers),
                  is_financial_institution="BANK" in name.upper())


ORG, PERSON, VESSEL = EntityType.ORGANIZATION, EntityType.PERSON, EntityType.VESSEL
ENTITIES = (
    _entity("ofac_sdn", "11581", "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA",
            ORG, ("DPRK", "NPWMD"), bic="FTBDKPPY", aliases=("FOREIGN TRADE BANK",),
            countries=("KP",)),
    _entity("ofac_sdn", "12299", "KOREA KWANGSON BANKING CORP", ORG, ("DPRK", "NPWMD"),
            bic="KKBCKPPY", countries=("KP",)),
    _entity("ofac_sdn", "16085", "DAEDONG CREDIT BANK", ORG, ("NPWMD",), bic="DCBKKPPY",
            countries=("KP",)),
    _entity("ofac_sdn", "20001", "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO., LTD.", ORG,
            ("NPWMD",), countries=("CN",)),
    _entity("ofac_sdn", "10001", "KOREA RYONBONG GENERAL CORPORATION", ORG, ("DPRK", "NPWMD"),
            countries=("KP",), account="KP0001002003", aliases=("KOREA RYONBONG GENERAL CORP",)),
    _entity("ofac_sdn", "30001", "CHONG GEN", VESSEL, ("DPRK3",), imo="9137960"),
    _entity("ofac_sdn", "30002", "BANCO DELTA ASIA", ORG, ("NPWMD",), bic="BDASMOMX"),
    _entity("un_sc", "KPe.001", "KOREA MINING DEVELOPMENT TRADING CORPORATION", ORG, ("DPRK",),
            countries=("KP",)),
    _entity("custom_dprk", "DL-1", "DANDONG FRONTIER BANK", ORG, ("DPRK-LINKED",),
            bic="DFRBCNBJ", countries=("CN",)),
)


class FakeNkBanks:
    """KP BICs, DPRK-program banks and the custom list, like the lists engineer's view."""

    def __init__(self, entities: tuple[Entity, ...]) -> None:
        self._keys = {e.key for e in entities if e.is_financial_institution and (
            "KP" in e.countries or any(p.startswith("DPRK") for p in e.programs))}

    def contains(self, entity: Entity) -> bool:
        return entity.key in self._keys

    def reasons_for_bic(self, bic: str) -> list[str]:
        reasons = []
        if bic[4:6] == "KP":
            reasons.append("BIC country KP")
        for e in ENTITIES:
            if e.key in self._keys and bic[:8] in e.identifier_values("bic"):
                reasons.append(f"{e.list_id}:{e.entry_id} {e.name}")
        return reasons


class FakeListSet:
    def __init__(self, entities: tuple[Entity, ...] = ENTITIES) -> None:
        self._entities = entities
        self.nk_banks = FakeNkBanks(entities)

    def entities(self) -> tuple[Entity, ...]:
        return self._entities

    def get(self, list_id: str, entry_id: str) -> Entity | None:
        return next((e for e in self._entities if (e.list_id, e.entry_id) == (list_id, entry_id)),
                    None)

    def by_identifier(self, kind: str, value: str) -> list[Entity]:
        if kind == "bic":
            value = value[:8]
        return [e for e in self._entities
                if value in tuple(v[:8] if kind == "bic" else v for v in e.identifier_values(kind))]

    def versions(self) -> dict[str, str]:
        return {"ofac_sdn": "test", "un_sc": "test", "custom_dprk": "test"}


class FakeScreener:
    """token_sort_ratio over normalised names: enough to exercise the rules."""

    def __init__(self, lists: FakeListSet) -> None:
        self.lists = lists
        self.calls = 0

    def screen_name(self, name: str, entity_type: Any = None, *, min_score: float | None = None,
                    list_ids: Any = None) -> list[NameHit]:
        self.calls += 1
        query = normalize_text(name)
        hits = []
        for e in self.lists.entities():
            best = max((fuzz.token_sort_ratio(query, normalize_text(n)), n) for n in e.all_names())
            if best[0] >= (min_score or 85):
                hits.append(NameHit(e.list_id, e.entry_id, e.type, e.name, best[1],
                                        e.programs, best[0], f"{name!r} ~ {best[1]!r}"))
        return hits
