"""The name index: every name and alias of every loaded list, normalised once at load time.

Candidate search blocks on tokens: a query token finds the names holding it exactly, or (when
the token is not in the vocabulary) its typo neighbours by one-deletion keys, its
romanisation variants by sound key, its halves when two words ran together, and the words it
starts when a field cut it short. Rare tokens are looked up first and weigh more; only the
names whose best possible score can still reach the threshold are aligned and scored.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
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

MAX_FUZZY_TOKENS = 40  # vocabulary neighbours kept per query token
BOUND_SLACK = 3.0  # the score bound is rough (joined words weigh double): keep a margin
WEAK_ALIAS_FACTOR = 0.8  # weak aliases (nicknames, lone given names) alone do not alert
WEAK_QUALITIES = frozenset({"weak", "low"})
FUZZY_BOUND = 0.9  # what a token without looked-up neighbours may still add
MAX_PAIR_TOKENS = 6  # queries up to this many tokens may block on pairs of tokens
NEIGHBOUR_CACHE_SIZE = 100_000  # query tokens whose typo neighbours are remembered
MIN_BLOCKING_SIMILARITY = 0.75  # weaker typo neighbours do not bring candidates in


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One indexed name: which entity, which of its names, and its tokens."""

    entity: int  # position in NameIndex.entities
    name: str  # the listed name or alias as the list wrote it
    kind: str  # "primary", or the alias kind (aka, fka, original_script, ...)
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    weight: float
    weak: bool  # a weak alias (list says weak/low, or a lone word for a person): scored lower


def _expansion_similarity(token: str, vocab_token: str) -> float:
    """The similarity align() may give a query token and one of its expansions (or more)."""
    sim = token_similarity(token, vocab_token)[0]
    if vocab_token.startswith(token) or token.startswith(vocab_token) or sim == 0.0:
        return max(sim, 0.95)  # cut-off words and halves of run-together words
    return sim


def _two_edit_similarity(token: str) -> float:
    """The best similarity a token can reach with a word two edits away."""
    return max(0.0, 1.0 - 2.0 / len(token)) if len(token) > 1 else 0.7


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
            for raw, kind, quality in zip(entity.all_names(), kinds, qualities, strict=True):
                tokens = normalize_name(raw).tokens
                if not tokens or tokens in seen:
                    continue
                seen.add(tokens)
                name_id = len(self.names)
                token_weights = tuple(token_weight(t) for t in tokens)
                weight = sum(token_weights)
                weak = kind != "primary" and (
                    (quality or "").lower() in WEAK_QUALITIES
                    or (entity.type is EntityType.PERSON and len(tokens) == 1))
                self.names.append(IndexedName(pos, raw, kind, tokens, token_weights, weight, weak))
                self.exact.setdefault(tuple(sorted(tokens)), []).append(name_id)
                for token in set(tokens):
                    postings.setdefault(token, []).append(name_id)
        # Postings run from light names to heavy ones, so a query can skip the names too
        # long to reach its threshold with one bisect.
        self.postings: dict[str, tuple[int, ...]] = {}
        self._posting_weights: dict[str, list[float]] = {}
        for token, ids in postings.items():
            ids.sort(key=lambda n: self.names[n].weight)
            self.postings[token] = tuple(ids)
            self._posting_weights[token] = [self.names[n].weight for n in ids]
        self.posting_sets: dict[str, frozenset[int]] = {
            t: frozenset(ids) for t, ids in self.postings.items()}
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
        self._neighbour_cache: dict[str, frozenset[str]] = {}
        self._sorted_forms: list[str] = sorted(forms)
        self._form_token = forms

    def __len__(self) -> int:
        return len(self.names)

    def _neighbours(self, token: str) -> frozenset[str]:
        """Vocabulary tokens one edit or one sound key away from a token (cached per token)."""
        cached = self._neighbour_cache.get(token)
        if cached is None:
            cached = frozenset(self._find_neighbours(token))
            if len(self._neighbour_cache) >= NEIGHBOUR_CACHE_SIZE:
                self._neighbour_cache.clear()
            self._neighbour_cache[token] = cached
        return cached

    def _find_neighbours(self, token: str) -> set[str]:
        """Vocabulary tokens one edit or one sound key away from a token."""
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
        forms = self._form_token
        for cut in range(2, len(token) - 1):
            left, right = forms.get(token[:cut]), forms.get(token[cut:])
            if left is not None and right is not None:
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
            if may_be_truncated and i == len(tokens) - 1 and len(token) >= 2:
                found |= self._completions(token)
        return found

    def _pair_candidates(self, tokens: tuple[str, ...], fuzzy: dict[int, set[str]],
                         joined: list[str | None]) -> set[int]:
        """Names holding at least two query tokens or typo neighbours (C-speed sets)."""
        holders: list[frozenset[int]] = []
        for i in range(len(tokens)):
            found = [self.posting_sets[x] for x in fuzzy[i]]
            if not found:
                holders.append(frozenset())
            else:
                holders.append(found[0] if len(found) == 1 else frozenset().union(*found))
        candidates: set[int] = set()
        for i, first in enumerate(holders):
            if first:
                for second in holders[i + 1:]:
                    if second:
                        candidates |= first & second
            joined_token = joined[i]
            if joined_token is not None:
                candidates |= self.posting_sets[joined_token]
        return candidates

    def _rare_candidates(self, tokens: tuple[str, ...], weights: list[float], need: float,
                         reach: list[float], fuzzy: dict[int, set[str]],
                         joined: list[str | None], floor: float,
                         tail_penalty: float) -> set[int]:
        """Names holding one of the rarest query tokens that any passing name must match."""
        def size(i: int) -> int:
            found = fuzzy[i]
            return sum(len(self.postings[x]) for x in found) if found else 1 << 30

        order = sorted(range(len(tokens)), key=size)
        blocking: list[int] = []
        outside = sum(w * r for w, r in zip(weights, reach, strict=True))
        for i in order:
            if (outside < need and blocking) or reach[i] < 1.0:
                break
            blocking.append(i)
            outside -= weights[i]
        # Even matching every query token, a listed name heavier than this stays below
        # floor (an initial may match a whole word, a run-together token two words).
        listed_reach = sum(max(w, 1.0) * (1 if tokens[i] in self.postings else 2)
                           for i, w in enumerate(weights))
        max_weight = listed_reach * (1 + (100.0 / max(floor, 1.0) - 1) / tail_penalty)
        candidates: set[int] = set()
        for i in blocking:
            expansions = set(fuzzy[i])
            if joined[i]:
                expansions.add(joined[i])  # type: ignore[arg-type]
            for token in expansions:
                if token != tokens[i] and token != joined[i] and \
                        _expansion_similarity(tokens[i], token) < MIN_BLOCKING_SIMILARITY:
                    continue
                ids = self.postings[token]
                if self._posting_weights[token][-1] > max_weight:
                    ids = ids[:bisect_right(self._posting_weights[token], max_weight)]
                candidates.update(ids)
        return candidates

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

        A name reaches min_score only if it matches a share `need` of the query's weight.
        When no single query token weighs that much, a candidate must hold two of them (or
        their typo neighbours): pairwise set intersections find those. Otherwise it must hold
        one of the rarest tokens outside any lighter set: the union of their postings. Only
        names whose score bound reaches min_score are then aligned.
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
        joined = [self._joined_with_next(tokens, i) for i in range(len(tokens))]
        fuzzy = {i: self._expand(tokens, i, True, may_be_truncated) for i in range(len(tokens))}
        # A token with no vocabulary word within one edit can still align with two edits,
        # and an initial with any word it starts: neither is looked up, both are assumed.
        reach = [1.0 if fuzzy[i] else _two_edit_similarity(tokens[i])
                 for i in range(len(tokens))]
        unsure = sum(max(w, 1.0) * r * FUZZY_BOUND
                     for i, (w, r) in enumerate(zip(weights, reach, strict=True))
                     if not fuzzy[i] or len(tokens[i]) == 1)
        tail_penalty = TRUNCATED_TAIL_PENALTY if may_be_truncated else LISTED_MISSING_PENALTY
        floor = min_score - BOUND_SLACK
        if 1 < len(tokens) <= MAX_PAIR_TOKENS and need - unsure > max(weights):
            candidates = self._pair_candidates(tokens, fuzzy, joined)
        else:
            candidates = self._rare_candidates(tokens, weights, need, reach, fuzzy, joined,
                                               floor, tail_penalty)
        # Matched weight of each candidate on both sides, from set intersections (C speed);
        # a name that cannot reach the needed share of the query is dropped unaligned.
        query_matched: dict[int, float] = {}
        listed_matched: dict[int, float] = {}
        for i, token in enumerate(tokens):
            found = fuzzy[i]
            scored = sorted(
                ((1.0 if x == token else _expansion_similarity(token, x), x)
                 for x in found), reverse=True)
            joined_token = joined[i]
            if joined_token is not None:
                scored.insert(0, (1.0, joined_token))
            seen: set[int] = set()
            for sim, vocab_token in scored:
                hit = candidates.intersection(self.posting_sets[vocab_token])
                if not hit:
                    continue
                # the listed side may match several expansions (halves of a joined word)
                listed_w = token_weight(vocab_token) * sim
                for name_id in hit:
                    listed_matched[name_id] = listed_matched.get(name_id, 0.0) + listed_w
                hit.difference_update(seen)
                seen |= hit
                w = (weights[i] + (weights[i + 1] if vocab_token == joined[i] else 0.0)) * sim
                for name_id in hit:
                    query_matched[name_id] = query_matched.get(name_id, 0.0) + w
        # Necessary condition first (cheap): the query-side share computed like `need`.
        need_here = need - unsure - 1e-9
        survivors = [n for n, q in query_matched.items() if q >= need_here and n not in results]
        bounded = []
        for name_id in survivors:
            q_matched = min(query_weight, query_matched[name_id] + unsure)
            name = self.names[name_id]
            c_matched = min(name.weight, listed_matched[name_id] + unsure)
            matched = (q_matched + c_matched) / 2
            bound = 100.0 * matched / (
                matched + QUERY_EXTRA_PENALTY * (query_weight - q_matched)
                + tail_penalty * (name.weight - c_matched))
            if name.weak:
                bound *= WEAK_ALIAS_FACTOR
            if bound >= floor:
                bounded.append((bound, name_id))
        # Best bounds first; a name cannot beat its entry's best score so far by more than
        # its bound allows, so the other aliases of an entry already found are skipped.
        best: dict[int, float] = {self.names[n].entity: a.score for n, a in results.items()}
        for bound, name_id in sorted(bounded, reverse=True):
            entity = self.names[name_id].entity
            if bound - BOUND_SLACK <= best.get(entity, -1.0):
                continue
            alignment = self._weighed(
                name_id, align(tokens, self.names[name_id].tokens,
                               may_be_truncated=may_be_truncated))
            if alignment.score >= min_score and alignment.score > best.get(entity, -1.0):
                results[name_id] = alignment
                best[entity] = alignment.score
        return list(results.items())
