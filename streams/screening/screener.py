"""The screener: names and identifiers against every loaded list, with scored, explained hits.

The agents call it for every party and bank of every payment, so results are cached (bounded
LRU) by the normalised query: the same correspondent banks cost one dictionary lookup.
"""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from streams.screening.entities import Entity, EntityType
from streams.screening.explain import explain_alignment
from streams.screening.index import NameIndex
from streams.screening.listset import normalize_identifier
from streams.screening.normalize import (
    MAX_NAME_CHARS,
    NormalizedName,
    compound_groups,
    normalize_name,
    rejoin_split_words,
)
from streams.screening.scoring import align, read_name
from streams.screening.vocabulary import LEGAL_FORMS

__all__ = [
    "DEFAULT_THRESHOLD",
    "IdentifierHit",
    "NameHit",
    "PairScore",
    "Screener",
    "name_problem",
    "score_pair",
]

DEFAULT_THRESHOLD = 82.0  # one alert threshold for every list, calibrated on the dev eval set
CACHE_SIZE = 50_000  # distinct normalised queries kept


class EntitySource(Protocol):
    """What the screener needs from a ListSet."""

    def entities(self) -> Iterable[Entity]: ...

    def by_identifier(self, kind: str, value: str) -> Sequence[Entity]: ...


@dataclass(frozen=True, slots=True)
class NameHit:
    """A listed entry whose name or alias matched a screened name."""

    list_id: str
    entry_id: str
    entity_type: EntityType
    entry_name: str
    matched_name: str
    programs: tuple[str, ...]
    score: float
    explanation: str


@dataclass(frozen=True, slots=True)
class IdentifierHit:
    """A listed entry that carries a screened identifier (BIC, IMO, ...)."""

    list_id: str
    entry_id: str
    entity_type: EntityType
    entry_name: str
    kind: str
    value: str
    programs: tuple[str, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class PairScore:
    """The score of one pair of names, whether it reaches the alert threshold, and why."""

    score: float
    match: bool
    explanation: str


def name_problem(name: str) -> str | None:
    """Why a name cannot be screened (empty, no letters or digits), or None when it can."""
    if not isinstance(name, str):
        return f"name must be a string, got {type(name).__name__}"
    tokens = normalize_name(name).tokens
    if not tokens:
        return "name is empty after normalisation (no letters or digits)"
    if len("".join(tokens)) < 2:
        return "name is a single character"
    return None


def _legal_form_positions(tokens: tuple[str, ...]) -> frozenset[int]:
    """Where a query holds a legal form as a company name does: first, last, or beside
    another one (`OOO ROMASHKA`, `ACME AG`, `X GMBH CO KG`). Inside a person's name the same
    letters are something else (`ABD AG-RAHMAN`, a mistyped article)."""
    last = len(tokens) - 1
    return frozenset(
        i for i, token in enumerate(tokens) if token in LEGAL_FORMS and (
            i in (0, last) or tokens[i - 1] in LEGAL_FORMS or tokens[i + 1] in LEGAL_FORMS))


def score_pair(a: str, b: str) -> PairScore:
    """Score name `a` (as screened) against name `b` (as listed) with the screener's scorer."""
    (query, truncated), (listed, _) = read_name(a), read_name(b)
    if not query.tokens or not listed.tokens:
        return PairScore(0.0, False, "a name is empty after normalisation")
    groups = compound_groups(b, listed.tokens)
    alignment = align(query.tokens, listed.tokens, may_be_truncated=truncated,
                      listed_groups=groups)
    return PairScore(alignment.score, alignment.score >= DEFAULT_THRESHOLD,
                     explain_alignment(query, listed.tokens, alignment, groups))


class Screener:
    """Screens names and identifiers against a loaded ListSet."""

    def __init__(self, lists: EntitySource, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.lists = lists
        self.threshold = threshold
        self.index = NameIndex(lists.entities())
        # The index is hundreds of thousands of long-lived tuples and sets: keep the cyclic
        # garbage collector from rescanning them (pauses of 100+ ms). They hold no cycles, so
        # reference counting still frees them when the lists are reloaded.
        gc.freeze()
        self._cache: OrderedDict[tuple[object, ...], list[NameHit]] = OrderedDict()
        self.cache_hits = 0
        self.cache_misses = 0

    def screen_name(
        self,
        name: str | None,
        entity_type: EntityType | None = None,
        *,
        min_score: float | None = None,
        list_ids: Collection[str] | None = None,
    ) -> list[NameHit]:
        """Listed entries matching a name at or above min_score, best first, one per entry
        (none for no name)."""
        if not isinstance(name, str):
            return []
        floor = self.threshold if min_score is None else min_score
        raw_key = (name, entity_type, floor, frozenset(list_ids) if list_ids is not None else None)
        cached = self._cache.get(raw_key)
        if cached is not None:  # the very same string: no normalisation needed
            self._cache.move_to_end(raw_key)
            self.cache_hits += 1
            return list(cached)
        query, truncated = read_name(name)
        if len("".join(query.tokens)) < 2:
            return []
        key = (query.tokens, query.changes, truncated, entity_type, floor,
               frozenset(list_ids) if list_ids is not None else None)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self._cache[raw_key] = cached
            self.cache_hits += 1
            return list(cached)
        self.cache_misses += 1
        hits = self._search(query, truncated, entity_type, floor, list_ids)
        if not hits:  # a second look, with stray spaces inside listed words taken out
            rejoined, joined = rejoin_split_words(name[:MAX_NAME_CHARS], self.index.words.forms)
            if joined:
                second = normalize_name(rejoined)
                second = replace(second, original=name, changes=(*joined, *second.changes))
                hits = self._search(second, truncated, entity_type, floor, list_ids)
        self._cache[key] = hits
        self._cache[raw_key] = hits
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return list(hits)

    def _search(self, query: NormalizedName, truncated: bool, entity_type: EntityType | None,
                floor: float, list_ids: Collection[str] | None) -> list[NameHit]:
        """Search the index and keep the best-scoring name of each entry."""
        best: dict[int, tuple[float, int]] = {}
        found = self.index.search(query.tokens, floor, may_be_truncated=truncated)
        alignments = dict(found)
        legal_forms = _legal_form_positions(query.tokens)
        for name_id, alignment in found:
            indexed = self.index.names[name_id]
            entity = self.index.entities[indexed.entity]
            if entity_type is not None and entity.type != entity_type:
                continue
            if legal_forms and entity.type is EntityType.PERSON and not legal_forms.isdisjoint(
                    alignment.extra):
                continue  # a name with a legal form (Ltd, LLC, S.A.) is not a person
            if list_ids is not None and entity.list_id not in list_ids:
                continue
            current = best.get(indexed.entity)
            if current is None or alignment.score > current[0]:
                best[indexed.entity] = (alignment.score, name_id)
        hits = []
        for entity_pos, (score, name_id) in best.items():
            entity = self.index.entities[entity_pos]
            indexed = self.index.names[name_id]
            hits.append(NameHit(
                list_id=entity.list_id, entry_id=entity.entry_id, entity_type=entity.type,
                entry_name=entity.name, matched_name=indexed.name, programs=entity.programs,
                score=score,
                explanation=explain_alignment(query, indexed.tokens, alignments[name_id],
                                              indexed.groups),
            ))
        hits.sort(key=lambda h: (-h.score, h.list_id, h.entry_id))
        return hits

    def screen_names(
        self, names: Sequence[str], entity_type: EntityType | None = None
    ) -> list[list[NameHit]]:
        """Screen many names; one list of hits per name, in order."""
        return [self.screen_name(name, entity_type) for name in names]

    def match_identifier(self, kind: str, value: str) -> list[IdentifierHit]:
        """Entries listed with an identifier: BIC (11 characters match on the 8-char head), IMO."""
        kind = kind.lower()
        key = normalize_identifier(kind, value)
        if key is None:
            return []
        hits = []
        for entity in self.lists.by_identifier(kind, value):
            listed = ", ".join(entity.identifier_values(kind)) or key
            how = " (on its 8-character head)" if kind == "bic" and len(value.strip()) > 8 \
                else ""
            hits.append(IdentifierHit(
                list_id=entity.list_id, entry_id=entity.entry_id, entity_type=entity.type,
                entry_name=entity.name, kind=kind, value=value, programs=entity.programs,
                explanation=f"{kind.upper()} {key} matches listed {listed}{how}",
            ))
        return hits
