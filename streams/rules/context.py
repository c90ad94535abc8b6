"""What a condition sees while one payment is evaluated: the subject, the lists, the screener."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from streams.models import Agent, Party, Payment
from streams.rules.window import WindowStore
from streams.screening.entities import Entity

__all__ = ["Context", "Finding", "ListIndex", "NameScreener", "Subject", "mask_account"]


class NameScreener(Protocol):
    """The part of streams.screening.screener.Screener that rules use."""

    def screen_name(self, name: str, entity_type: Any = None, *, min_score: float | None = None,
                    list_ids: Any = None) -> Sequence[Any]: ...


class NkBanksView(Protocol):
    """The North Korea-linked banks view of the loaded lists."""

    def contains(self, entity: Entity) -> bool: ...

    def reasons_for_bic(self, bic: str) -> list[str]: ...


class ListIndex(Protocol):
    """The part of streams.screening.listset.ListSet that rules use."""

    @property
    def nk_banks(self) -> NkBanksView: ...

    def get(self, list_id: str, entry_id: str) -> Entity | None: ...

    def by_identifier(self, kind: str, value: str) -> Sequence[Entity]: ...


class Subject(NamedTuple):
    """One role of a payment that a rule looks at: a party, a bank or a piece of free text.

    A named tuple: several are made for every payment, at a third of a frozen dataclass's cost.
    """

    role: str  # "debtor", "intermediary_agents[1]", "remittance_info"
    party: Party | None = None
    agent: Agent | None = None
    text: str | None = None

    @property
    def name(self) -> str | None:
        """The party's or bank's name, if any."""
        if self.party is not None:
            return self.party.name
        return self.agent.name if self.agent is not None else None


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason a condition held, before it becomes a Hit of a rule."""

    role: str
    field: str
    value: str
    explanation: str
    list: str | None = None
    entry_id: str | None = None
    entry_name: str | None = None
    programs: tuple[str, ...] = ()
    score: float | None = None

    @property
    def identity(self) -> tuple[str, str, str | None, str | None]:
        """What makes two findings of one rule the same hit."""
        return (self.role, self.field, self.list, self.entry_id)


@dataclass(slots=True)
class Context:
    """The state of evaluating one payment: the payment, the tools and a name-screening cache."""

    payment: Payment
    screener: NameScreener
    lists: ListIndex
    store: WindowStore
    min_score_floor: float
    rule_id: str = ""
    _names: dict[str, list[Any]] = field(default_factory=dict)

    def screen(self, name: str) -> list[Any]:
        """Name hits for `name` at the lowest score any rule asks for, screened once per payment."""
        hits = self._names.get(name)
        if hits is None:
            hits = list(self.screener.screen_name(name, min_score=self.min_score_floor))
            self._names[name] = hits
        return hits


def mask_account(account: str) -> str:
    """An account shown by its last four characters only."""
    compact = "".join(account.split())
    return "****" + compact[-4:] if len(compact) > 4 else "****"
