"""A small hand-written list set for the screener tests (names modelled on real designations)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from streams.screening.entities import Alias, Entity, EntityType, Identifier, ListSnapshot
from streams.screening.listset import ListSet

ORG = EntityType.ORGANIZATION
PERSON = EntityType.PERSON


def entity(entry_id: str, name: str, kind: EntityType = ORG, *aliases: str | Alias,
           list_id: str = "test_sdn", programs: tuple[str, ...] = ("DPRK3",),
           identifiers: tuple[Identifier, ...] = ()) -> Entity:
    """One entry with aliases given as names or Alias objects."""
    return Entity(
        list_id=list_id, entry_id=entry_id, type=kind, name=name,
        aliases=tuple(a if isinstance(a, Alias) else Alias(a) for a in aliases),
        programs=programs, identifiers=identifiers,
    )


SAMPLE: tuple[Entity, ...] = (
    entity("1", "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO., LTD.", ORG,
           "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT COMPANY LIMITED"),
    entity("2", "KOREA KWANGSON BANKING CORP", ORG, "KKBC",
           identifiers=(Identifier("bic", "KKBCKPPY"),)),
    entity("3", "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA", ORG,
           "NORTH KOREA'S FOREIGN TRADE BANK", identifiers=(Identifier("bic", "FTBDKPPY"),)),
    entity("4", "KIM, Jong Un", PERSON),
    entity("5", "CHOE, Ryong Hae", PERSON, "CH'OE RYONG-HAE"),
    entity("6", "AL-TIKRITI, Ahmad Watban Ibrahim Hasan", PERSON,
           Alias("ABU AHMAD", quality="weak"), Alias("AHMAD", quality="strong")),
    entity("7", "ABD AL-RAHMAN, Muhammad", PERSON, list_id="test_un", programs=("QDi",)),
    entity("8", "GENERAL TRADING COMPANY", ORG),
    entity("9", "PUTIN, Vladimir Vladimirovich", PERSON, "Владимир Владимирович Путин",
           programs=("RUSSIA-EO14024",)),
    entity("10", "OCEAN MARITIME MANAGEMENT COMPANY, LIMITED", ORG,
           programs=("NPWMD",)),
    entity("11", "JI SONG 6", EntityType.VESSEL, identifiers=(Identifier("imo", "8898740"),)),
    entity("12", "BANCO NACIONAL DE CUBA", ORG, "NATIONAL BANK OF CUBA", programs=("CUBA",)),
)


def list_set(entities: Sequence[Entity] = SAMPLE) -> ListSet:
    """A ListSet holding the entities, one snapshot per list id."""
    by_list: dict[str, list[Entity]] = {}
    for item in entities:
        by_list.setdefault(item.list_id, []).append(item)
    now = datetime(2026, 11, 29, tzinfo=timezone.utc)
    return ListSet({
        list_id: ListSnapshot(list_id, "test", "memory", now, tuple(items))
        for list_id, items in by_list.items()
    })
