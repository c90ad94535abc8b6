"""The North Korea-linked banks view: DPRK-program banks, KP BICs, the custom linked-banks list."""

from __future__ import annotations

import re
from collections.abc import Iterable

from streams.screening.entities import Entity, ListSnapshot, bic_country, normalize_bic
from streams.screening.sources.custom import DPRK_LINKED_TAG

__all__ = ["DPRK_PROGRAMS", "NorthKoreaBanks", "is_dprk_program"]

# OFAC tags DPRK..DPRK4, NKSPEA and DPRK-NKSPEA; the UN regime is UN_LIST_TYPE "DPRK".
DPRK_PROGRAMS = frozenset({"DPRK", "DPRK2", "DPRK3", "DPRK4", "NKSPEA", "DPRK-NKSPEA"})
_NK_TEXT = re.compile(
    r"NORTH KOREA|\bDPRK\b|KOREA, NORTH|DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA", re.IGNORECASE
)


def is_dprk_program(program: str) -> bool:
    """Whether a program or regime tag is one of the North Korea programs."""
    return program.upper() in DPRK_PROGRAMS


def _link_reason(entity: Entity, linked_list: bool) -> str | None:
    """Why an entity belongs to the view, or None when it does not."""
    if linked_list:
        return f"custom list {entity.key} {entity.name}"
    kp_bics = [b for b in entity.identifier_values("bic") if bic_country(b) == "KP"]
    if kp_bics:
        return f"listed DPRK bank {entity.key} {entity.name}"
    if not entity.is_financial_institution:
        return None
    if any(is_dprk_program(p) for p in entity.programs):
        return f"listed DPRK bank {entity.key} {entity.name}"
    if "KP" in entity.countries or (entity.remarks and _NK_TEXT.search(entity.remarks)):
        return f"listed bank tied to North Korea {entity.key} {entity.name}"
    return None


class NorthKoreaBanks:
    """Every listed bank linked to North Korea, queryable by entity and by BIC."""

    def __init__(self, snapshots: Iterable[ListSnapshot]) -> None:
        self._reasons: dict[str, str] = {}
        self._entries: list[Entity] = []
        self._by_bic8: dict[str, list[Entity]] = {}
        for snapshot in snapshots:
            linked_list = DPRK_LINKED_TAG in snapshot.tags
            for entity in snapshot.entities:
                reason = _link_reason(entity, linked_list)
                if reason is None:
                    continue
                self._reasons[entity.key] = reason
                self._entries.append(entity)
                for bic in entity.identifier_values("bic"):
                    self._by_bic8.setdefault(bic[:8], []).append(entity)

    def entries(self) -> list[Entity]:
        """The entries of the view, in list load order."""
        return list(self._entries)

    def contains(self, entity: Entity) -> bool:
        """Whether a listed entity is in the view."""
        return entity.key in self._reasons

    def reason_for(self, entity: Entity) -> str | None:
        """Why a listed entity is in the view, None when it is not."""
        return self._reasons.get(entity.key)

    def reasons_for_bic(self, bic: str) -> list[str]:
        """Why a BIC is North Korea-linked (its country, listed banks using it); [] when not."""
        normalized = normalize_bic(bic)
        if normalized is None:
            return []
        reasons = []
        if bic_country(normalized) == "KP":
            reasons.append("BIC country KP")
        for entity in self._by_bic8.get(normalized[:8], ()):
            reasons.append(self._reasons[entity.key])
        return reasons

    def __len__(self) -> int:
        return len(self._entries)
