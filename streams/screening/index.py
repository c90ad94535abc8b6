"""The name index: every name and alias of every loaded list, normalised once at load time.

Candidate search blocks on tokens: a query token finds the names holding it exactly, or (when
the token is not in the vocabulary) its typo neighbours by one-deletion keys, its
romanisation variants by sound key, its halves when two words ran together, and the words it
starts when a field cut it short. Rare tokens are looked up first and weigh more; only the
names whose best possible score can still reach the threshold are aligned and scored.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, replace

from streams.screening.entities import Entity, EntityType
from streams.screening.normalize import normalize_name, phonetic_key
from streams.screening.scoring import (
    LISTED_MISSING_PENALTY,
    QUERY_EXTRA_PENALTY,
    TRUNCATED_TAIL_PENALTY,
    Alignment,
    align,
    token_similarity,
    token_weight,
)
from streams.screening.vocabulary import CANONICAL

__all__ = ["IndexedName", "NameIndex"]

POSTINGS_BUDGET = 600  # names visited per query before common tokens are skipped
MAX_FUZZY_TOKENS = 40  # vocabulary neighbours kept per query token
BOUND_SLACK = 3.0  # the score bound is rough (joined words weigh double): keep a margin
WEAK_ALIAS_FACTOR = 0.8  # weak aliases (nicknames, lone given names) alone do not alert
WEAK_QUALITIES = frozenset({"weak", "low"})
FUZZY_BOUND = 0.9  # what a non-blocking token may still add through a typo


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One indexed name: which entity, which of its names, and its tokens."""

    entity: int  # position in NameIndex.entities
    name: str  # the listed name or alias as the list wrote it
    kind: str  # "primary", or the alias kind (aka, fka, original_script, ...)
    tokens: tuple[str, ...]
    weight: float
    weak: bool  # a weak alias (list says weak/low, or a lone word for a person): scored lower


def _deletions(token: str) -> list[str]:
    """The strings one deletion away from a token."""
    return [token[:i] + token[i + 1:] for i in range(len(token))]


class NameIndex:
    """Token index over all listed names, with typo, sound, split and prefix lookups."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: list[Entity] = list(entities)
        self.names: list[IndexedName] = []
        self.exact: dict[tuple[str, ...], list[int]] = {}
        postings: dict[str, list[int]] = {}
        for pos, entity in enumerate(self.entities):
            seen: set[tuple[str, ...]] = set()
            kinds = ("primary", *(a.kind for a in entity.aliases))
            qualities = (None, *(a.quality for a in entity.aliases))
            for raw, kind, quality in zip(entity.all_names(), kinds, qualities):
                tokens = normalize_name(raw).tokens
                if not tokens or tokens in seen:
                    continue
                seen.add(tokens)
                name_id = len(self.names)
                weight = sum(token_weight(t) for t in tokens)
                weak = kind != "primary" and (
                    (quality or "").lower() in WEAK_QUALITIES
                    or (entity.type is EntityType.PERSON and len(tokens) == 1))
                self.names.append(IndexedName(pos, raw, kind, tokens, weight, weak))
                self.exact.setdefault(tuple(sorted(tokens)), []).append(name_id)
                for token in set(tokens):
                    postings.setdefault(token, []).append(name_id)
        self.postings: dict[str, tuple[int, ...]] = {t: tuple(v) for t, v in postings.items()}
        self.token_sets: list[frozenset[str]] = [frozenset(n.tokens) for n in self.names]
        total = max(1, len(self.names))
        self.idf: dict[str, float] = {
            t: math.log(1 + total / len(v)) for t, v in self.postings.items()
        }
        self._deletion_index: dict[str, list[str]] = {}
        self._sound_index: dict[str, list[str]] = {}
        forms = {t: t for t in self.postings}
        for form, canon in CANONICAL.items():
            if canon in self.postings:
                forms.setdefault(form, canon)
        for form, token in forms.items():
            if len(form) >= 3:
                for deleted in _deletions(form):
                    self._deletion_index.setdefault(deleted, []).append(token)
                key = phonetic_key(form)
                if len(key.replace("*", "")) >= 3:
                    self._sound_index.setdefault(key, []).append(token)
        self._sorted_forms: list[str] = sorted(forms)
        self._form_token = forms

    def __len__(self) -> int:
        return len(self.names)

    def _neighbours(self, token: str) -> set[str]:
        """Vocabulary tokens one edit or one sound key away from an unknown token."""
        found: set[str] = set()
        if len(token) >= 3:
            found.update(self._deletion_index.get(token, ()))
            for deleted in _deletions(token):
                if deleted in self._form_token:
                    found.add(self._form_token[deleted])
                found.update(self._deletion_index.get(deleted, ()))
            found.update(self._sound_index.get(phonetic_key(token), ())[:MAX_FUZZY_TOKENS])
        if len(found) > MAX_FUZZY_TOKENS:
            ranked = sorted(found, key=lambda t: -token_similarity(token, t)[0])
            found = set(ranked[:MAX_FUZZY_TOKENS])
        return {t for t in found if token_similarity(token, t)[0] > 0.0}

    def _halves(self, token: str) -> list[str]:
        """Two vocabulary words that ran together into one token."""
        for cut in range(2, len(token) - 1):
            left, right = token[:cut], token[cut:]
            if left in self.postings and right in self.postings:
                return [left, right]
        return []

    def _completions(self, prefix: str) -> set[str]:
        """Vocabulary words (or their canonical forms) that a cut-off token starts."""
        found: set[str] = set()
        start = bisect_left(self._sorted_forms, prefix)
        for form in self._sorted_forms[start:start + MAX_FUZZY_TOKENS]:
            if not form.startswith(prefix):
                break
            found.add(self._form_token[form])
        return found

    def _expand(self, tokens: tuple[str, ...], i: int, fuzzy: bool,
                may_be_truncated: bool) -> set[str]:
        """The vocabulary tokens query token i may stand for (typos etc. when fuzzy)."""
        token = tokens[i]
        found: set[str] = set()
        if token in self.postings:
            found.add(token)
        if fuzzy:
            found |= self._neighbours(token)
            if len(token) >= 5 and token not in self.postings:
                found.update(self._halves(token))
            if may_be_truncated and i == len(tokens) - 1 and len(token) >= 3:
                found |= self._completions(token)
        return found

    def _weighed(self, name_id: int, alignment: Alignment) -> Alignment:
        """The alignment with its score lowered when the name is a weak alias."""
        if not self.names[name_id].weak:
            return alignment
        return replace(alignment, score=round(alignment.score * WEAK_ALIAS_FACTOR, 1))

    def _joined_with_next(self, tokens: tuple[str, ...], i: int) -> str | None:
        """Query tokens i and i+1 written together, when the vocabulary has that word."""
        if i + 1 < len(tokens) and tokens[i] + tokens[i + 1] in self.postings:
            return tokens[i] + tokens[i + 1]
        return None

    def search(self, tokens: tuple[str, ...], min_score: float, *,
               may_be_truncated: bool = False) -> list[tuple[int, Alignment]]:
        """Names whose aligned score with the query tokens reaches min_score.

        A name reaches min_score only if it matches a share `need` of the query's weight,
        so it must match one of the query tokens outside any set lighter than that: the
        names holding the rarest such tokens (or their typo neighbours) are the candidates,
        and only those whose score bound reaches min_score are aligned.
        """
        if not tokens:
            return []
        results: dict[int, Alignment] = {}
        for name_id in self.exact.get(tuple(sorted(tokens)), ()):
            alignment = self._weighed(name_id, align(tokens, tokens))
            if alignment.score >= min_score:
                results[name_id] = alignment
        weights = [token_weight(t) for t in tokens]
        query_weight = sum(weights)
        t = min(max(min_score, 1.0), 100.0) / 100.0
        need = QUERY_EXTRA_PENALTY * t * query_weight / (1 - t + QUERY_EXTRA_PENALTY * t)
        exact = [self._expand(tokens, i, False, may_be_truncated) for i in range(len(tokens))]
        joined = [self._joined_with_next(tokens, i) for i in range(len(tokens))]
        fuzzy: dict[int, set[str]] = {}

        def size(i: int) -> int:
            found = exact[i] if exact[i] else fuzzy.setdefault(
                i, self._expand(tokens, i, True, may_be_truncated))
            return sum(len(self.postings[x]) for x in found) if found else 1 << 30

        order = sorted(range(len(tokens)), key=size)
        blocking: list[int] = []
        outside = query_weight
        for i in order:
            if outside < need and blocking:
                break
            blocking.append(i)
            outside -= weights[i]
        candidates: set[int] = set()
        for i in blocking:
            if i not in fuzzy:
                fuzzy[i] = self._expand(tokens, i, True, may_be_truncated)
            if joined[i]:
                fuzzy[i].add(joined[i])  # type: ignore[arg-type]
            for token in fuzzy[i]:
                candidates.update(self.postings[token])
        checks = [
            (weights[i], fuzzy[i] if i in blocking else exact[i], joined[i],
             weights[i + 1] if joined[i] else 0.0, i not in blocking and len(tokens[i]) >= 3)
            for i in range(len(tokens))
        ]
        tail_penalty = TRUNCATED_TAIL_PENALTY if may_be_truncated else LISTED_MISSING_PENALTY
        floor = min_score - BOUND_SLACK
        for name_id in candidates:
            if name_id in results:
                continue
            name = self.names[name_id]
            token_set = self.token_sets[name_id]
            matched = 0.0
            for w, hits, join, next_w, may_typo in checks:
                if join is not None and join in token_set:
                    matched += w + next_w
                elif not hits.isdisjoint(token_set):
                    matched += w
                elif may_typo:
                    matched += FUZZY_BOUND * w
            matched = min(matched, query_weight)
            bound = 100.0 * matched / (
                matched + QUERY_EXTRA_PENALTY * (query_weight - matched)
                + tail_penalty * max(0.0, name.weight - matched))
            if name.weak:
                bound *= WEAK_ALIAS_FACTOR
            if bound < floor:
                continue
            alignment = self._weighed(
                name_id, align(tokens, name.tokens, may_be_truncated=may_be_truncated))
            if alignment.score >= min_score:
                results[name_id] = alignment
        return list(results.items())
