"""The name index: every name and alias of every loaded list, normalised once at load time.

Each query token stands for vocabulary words: itself, its typo neighbours (one-deletion keys,
also over the long forms of canonical words), its romanisation variants (sound key), its
halves when two words ran together, and the words it starts when a field cut it short.
Candidates are the names holding every token of some set of query tokens that together
weigh enough to reach the threshold, when no single token does; else the names holding one
of the rarest tokens that any passing name must match.
Set intersections give each candidate's matched weight; only names whose score bound reaches
the threshold are aligned and scored.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import chain

from rapidfuzz import process
from rapidfuzz.distance import OSA

from streams.screening.entities import Entity, EntityType
from streams.screening.normalize import compound_groups
from streams.screening.scoring import (
    LISTED_MISSING_PENALTY,
    LONG_FORMS,
    MIN_TOKEN_SIMILARITY,
    QUERY_EXTRA_PENALTY,
    TRUNCATED_TAIL_PENALTY,
    Alignment,
    align,
    compared_forms,
    compound_discount,
    read_name,
    token_similarity,
    token_weight,
)
from streams.screening.token_plans import (
    HolderKey,
    TokenPlan,
    TokenPlans,
    expansion_similarity,
)
from streams.screening.vocabulary import CANONICAL
from streams.screening.words import HALVES_MIN_CHARS, WordLookup

__all__ = ["IndexedName", "NameIndex"]

BOUND_SLACK = 3.0  # the score bound is rough (joined words weigh double): keep a margin
WEAK_ALIAS_FACTOR = 0.8  # weak aliases (nicknames, lone given names) alone do not alert
WEAK_QUALITIES = frozenset({"weak", "low"})
FUZZY_BOUND = 0.9  # what a token without looked-up neighbours may still add
FEW_SURVIVORS = 8  # above this many, assumed typos are priced name by name
FEW_CANDIDATES = 100  # up to this many, matched weights are summed name by name
MAX_PAIR_TOKENS = 6  # queries up to this many tokens may block on pairs of tokens
MIN_BLOCKING_SIMILARITY = 0.75  # weaker typo neighbours do not bring candidates in
MAX_FUZZY_POSTINGS = 300  # nor do neighbours as common as this
UNBLOCKED_CACHE_SIZE = 20_000  # complete plans whose unblocked similarity is remembered


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
    groups: tuple[tuple[int, ...], ...] = ()  # tokens of one hyphenated word (compound_groups)
    discount: float = 0.0  # the most its missing groups can weigh less (compound_discount)


@lru_cache(maxsize=4096)
def _reaching_subsets(weights: tuple[float, ...], need: float) -> tuple[tuple[int, ...], ...]:
    """The smallest sets of token positions whose weights together reach need."""
    found: list[tuple[int, ...]] = []
    for mask in sorted(range(1, 1 << len(weights)), key=int.bit_count):
        subset = tuple(i for i in range(len(weights)) if mask >> i & 1)
        if any(set(smaller) <= set(subset) for smaller in found):
            continue
        if sum(weights[i] for i in subset) >= need - 1e-6:
            found.append(subset)
    return tuple(found)


class NameIndex:
    """Token index over all listed names, with typo, sound, split and prefix lookups."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: list[Entity] = list(entities)
        self.names: list[IndexedName] = []
        self.exact: dict[tuple[str, ...], list[int]] = {}
        self._repeats: dict[str, dict[int, int]] = {}  # token -> names holding it twice or more
        postings: dict[str, list[int]] = {}
        for pos, entity in enumerate(self.entities):
            seen: set[tuple[str, ...]] = set()
            kinds = ("primary", *(a.kind for a in entity.aliases))
            qualities = (None, *(a.quality for a in entity.aliases))
            for raw, kind, quality in zip(entity.all_names(), kinds, qualities, strict=True):
                tokens = read_name(raw)[0].tokens
                if not tokens or tokens in seen:
                    continue
                seen.add(tokens)
                name_id = len(self.names)
                token_weights = tuple(token_weight(t) for t in tokens)
                weight = sum(token_weights)
                weak = kind != "primary" and (
                    (quality or "").lower() in WEAK_QUALITIES
                    or (entity.type is EntityType.PERSON and len(tokens) == 1))
                groups = compound_groups(raw, tokens)
                self.names.append(IndexedName(pos, raw, kind, tokens, token_weights, weight, weak,
                                              groups, compound_discount(tokens, groups)))
                self.exact.setdefault(tuple(sorted(tokens)), []).append(name_id)
                for token in set(tokens):
                    postings.setdefault(token, []).append(name_id)
                    if tokens.count(token) > 1:
                        self._repeats.setdefault(token, {})[name_id] = tokens.count(token)
        # Postings run from light names to heavy ones, so a query can skip the names too
        # long to reach its threshold with one bisect (by the weight a name can miss at least).
        self.postings: dict[str, tuple[int, ...]] = {}
        self._posting_weights: dict[str, list[float]] = {}
        lightest = [name.weight - name.discount for name in self.names]
        for token, ids in postings.items():
            ids.sort(key=lightest.__getitem__)
            self.postings[token] = tuple(ids)
            self._posting_weights[token] = [lightest[n] for n in ids]
        self.posting_sets: dict[str, frozenset[int]] = {
            t: frozenset(ids) for t, ids in self.postings.items()}
        self.words = WordLookup(self.postings)
        self._special_words = frozenset(
            w for w in self.postings if w in LONG_FORMS or len(w) == 1)
        # what a canonical word is compared through (its long forms), for pricing
        self._compared_forms = {w: compared_forms(w) for w in self._special_words
                                if len(w) > 1}
        # Words repeat far more than names: each query token's expansions, its weighted
        # words (best first) and the union of their postings are worked out once.
        self.plans = TokenPlans(self.posting_sets, self.words)
        self._name_tokens = [name.tokens for name in self.names]
        self._name_weights = [name.weight for name in self.names]
        self._discounts = {n: name.discount for n, name in enumerate(self.names) if name.discount}
        self._weak = [name.weak for name in self.names]
        self._unblocked_cache: dict[HolderKey, float] = {}

    def __len__(self) -> int:
        return len(self.names)

    def _pair_candidates(self, tokens: tuple[str, ...], plans: list[TokenPlan],
                         joined: list[str | None], weights: list[float],
                         need: float) -> set[int]:
        """Names holding enough query tokens (or typo neighbours) to reach need (C-speed sets).

        A name matches each query token at most at its weight, so it must hold every token
        of some set of tokens that together weigh `need`: the union, over the smallest such
        sets, of the names holding all of their tokens. Words two tokens ran into bring
        their names in whole.
        """
        holders = [(plan.key, self.plans.holders(token, plan))
                   for token, plan in zip(tokens, plans, strict=True)]
        held = tuple(weights[i] if holders[i][1] else 0.0 for i in range(len(tokens)))
        candidates: set[int] = set()
        for subset in _reaching_subsets(held, need):
            ordered = sorted(subset, key=lambda i: len(holders[i][1]))
            if len(ordered) == 1:  # not in pair mode (every token is too light), but exact
                candidates |= holders[ordered[0]][1]
                continue
            both = self.plans.both(holders[ordered[0]], holders[ordered[1]])
            if both and len(ordered) > 2:
                both = both.intersection(*(holders[i][1] for i in ordered[2:]))
            candidates |= both
        for joined_token in joined:
            if joined_token is not None:
                candidates |= self.posting_sets[joined_token]
        return candidates

    def _rare_candidates(self, tokens: tuple[str, ...], weights: list[float], need: float,
                         reach: list[float], plans: list[TokenPlan],
                         joined: list[str | None], floor: float,
                         tail_penalty: float, unseen: list[float]) -> set[int]:
        """Names holding one of the rarest query tokens that any passing name must match."""
        fuzzy = [plan.expansions for plan in plans]
        order = sorted(range(len(tokens)), key=lambda i: plans[i].size)
        blocking: list[int] = []
        outside = sum(w * r for w, r in zip(weights, reach, strict=True))
        if outside < need and not any(joined):
            return set()  # even matching every token it can, no name reaches the threshold
        # a complete plan's weak or common words bring no candidates: what they may add stays
        unseen = [self._unblocked(plans[i]) if plans[i].complete else unseen[i]
                  for i in range(len(tokens))]
        for i in order:
            if (outside < need and blocking) or reach[i] < 1.0:
                break
            blocking.append(i)
            # a misspelt token may still match a word its neighbours miss (two edits away)
            outside -= weights[i] * (1.0 - unseen[i])
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
                if token != tokens[i] and token != joined[i] and not self._blocks(tokens[i],
                                                                                 token):
                    continue  # weak or common neighbours bring noise, not candidates
                ids = self.postings[token]
                if self._posting_weights[token][-1] > max_weight:
                    ids = ids[:bisect_right(self._posting_weights[token], max_weight)]
                candidates.update(ids)
            # common halves (`hasanahmad`): the names holding both, at each cut
            if len(tokens[i]) >= HALVES_MIN_CHARS:
                for left, right in self.words.halves(tokens[i]):
                    candidates |= self.posting_sets[left] & self.posting_sets[right]
        return candidates

    def _blocks(self, token: str, word: str) -> bool:
        """Whether a query token's neighbour brings the names holding it in as candidates."""
        return (expansion_similarity(token, word) >= MIN_BLOCKING_SIMILARITY
                and len(self.postings[word]) <= MAX_FUZZY_POSTINGS)

    def _unblocked(self, plan: TokenPlan) -> float:
        """The best similarity among a plan's words that bring no candidates (0.0: none)."""
        found = self._unblocked_cache.get(plan.key)
        if found is None:
            found = max((expansion_similarity(plan.token, w) for w in plan.expansions
                         if w != plan.token and not self._blocks(plan.token, w)), default=0.0)
            if len(self._unblocked_cache) >= UNBLOCKED_CACHE_SIZE:
                self._unblocked_cache.clear()
            self._unblocked_cache[plan.key] = found
        return found

    def _bounded(self, tokens: tuple[str, ...], weights: list[float],
                     plans: list[TokenPlan], joined: list[str | None],
                     candidates: set[int], results: dict[int, Alignment], assumed: list[int],
                     need: float, unsure: tuple[float, float], query_weight: float,
                     tail_penalty: float, floor: float) -> list[tuple[float, int]]:
        """Candidates whose score bound reaches floor, best bound first."""
        if len(candidates) <= FEW_CANDIDATES:
            survivors, listed_matched = self._matched_by_name(weights, plans, joined,
                                                              candidates, results, need)
        else:
            survivors, listed_matched = self._matched_by_word(weights, plans, joined,
                                                              candidates, results, need)
        # what the assumed tokens may add: a flat allowance, or (many survivors) priced
        q_extras: dict[int, float] = {}
        c_extras: dict[int, float] = {}
        q_unsure, c_unsure = unsure
        if assumed and len(survivors) > FEW_SURVIVORS:
            q_unsure = c_unsure = 0.0
            q_get, c_get = q_extras.get, c_extras.get
            for i in assumed:
                self.plans.note_priced(tokens[i], len(survivors))
            for i, sims in zip(assumed, self._closest(tokens, assumed, survivors),
                               strict=True):
                weight = weights[i]
                for name_id, sim in sims.items():
                    q_extras[name_id] = q_get(name_id, 0.0) + weight * sim
                    c_extras[name_id] = c_get(name_id, 0.0) + sim
        name_weights, weak, discounts = self._name_weights, self._weak, self._discounts
        q_get, c_get, listed_get = q_extras.get, c_extras.get, listed_matched.get
        bounded = []
        for name_id, query_matched in survivors.items():
            q_matched = query_matched + q_get(name_id, q_unsure)
            if q_matched > query_weight:
                q_matched = query_weight
            name_weight = name_weights[name_id]
            c_matched = listed_get(name_id, 0.0) + c_get(name_id, c_unsure)
            if c_matched > name_weight:
                c_matched = name_weight
            matched = (q_matched + c_matched) / 2
            c_missing = name_weight - c_matched
            if name_id in discounts:  # hyphenated words it may miss count once
                c_missing = max(0.0, c_missing - discounts[name_id])
            bound = 100.0 * matched / (
                matched + QUERY_EXTRA_PENALTY * (query_weight - q_matched)
                + tail_penalty * c_missing)
            if weak[name_id]:
                bound *= WEAK_ALIAS_FACTOR
            if bound >= floor:
                bounded.append((bound, name_id))
        return sorted(bounded, reverse=True)

    def _matched_by_word(self, weights: list[float], plans: list[TokenPlan],
                         joined: list[str | None], candidates: set[int],
                         results: dict[int, Alignment], need: float
                         ) -> tuple[dict[int, float], dict[int, float]]:
        """The candidates reaching need, with their matched weight on both sides: many names.

        Each query token's words are intersected with the candidates (C-speed sets).
        """
        listed_hits: list[tuple[float, str, set[int]]] = []
        posting_sets = self.posting_sets
        best_words: list[dict[int, float]] = []  # per query token: name -> its best word
        for i, plan in enumerate(plans):
            words = plan.words
            both = joined[i]
            if both is not None:
                words = tuple(sorted((*words, (weights[i] + weights[i + 1],
                                               token_weight(both), both)), reverse=True))
            found: dict[int, float] = {}
            token_hits = []
            for query_w, listed_w, word in reversed(words):  # a token counts once: its best
                hit = candidates.intersection(posting_sets[word])
                if hit:
                    token_hits.append((listed_w, word, hit))
                    found.update(dict.fromkeys(hit, query_w))
            listed_hits.extend(reversed(token_hits))
            best_words.append(found)
        survivors = self._reaching(best_words, need, results)
        # the listed side only for the names that may still pass (the listed side may match
        # several words of one query token: the halves of a run-together word)
        alive = set(survivors)
        listed_matched: defaultdict[int, float] = defaultdict(float)
        for listed_w, word, hit in listed_hits:
            repeats = self._repeats.get(word)
            for name_id in alive.intersection(hit):
                listed_matched[name_id] += listed_w * (repeats.get(name_id, 1) if repeats else 1)
        return survivors, listed_matched

    def _matched_by_name(self, weights: list[float], plans: list[TokenPlan],
                         joined: list[str | None], candidates: set[int],
                         results: dict[int, Alignment], need: float
                         ) -> tuple[dict[int, float], dict[int, float]]:
        """The same as _matched_by_word, for a few names: each name's words are looked up.

        A query token counts once, at its best word; on the listed side every word of the
        name it stands for counts (the halves of a run-together word), each time it occurs.
        """
        by_word = [plan.by_word for plan in plans]
        for i, both in enumerate(joined):
            if both is not None:  # the run-together word counts besides the token's own
                query_w, listed_w = by_word[i].get(both, (0.0, 0.0))
                by_word[i] = {**by_word[i], both: (max(query_w, weights[i] + weights[i + 1]),
                                                   listed_w + token_weight(both))}
        name_tokens = self._name_tokens
        survivors: dict[int, float] = {}
        listed_matched: dict[int, float] = {}
        for name_id in candidates:
            if name_id in results:
                continue
            tokens = name_tokens[name_id]
            query_matched = 0.0
            listed = 0.0
            for words in by_word:
                best = 0.0
                for token in tokens:
                    found = words.get(token)
                    if found is not None:
                        if found[0] > best:
                            best = found[0]
                        listed += found[1]
                query_matched += best
            if query_matched >= need:
                survivors[name_id] = query_matched
                listed_matched[name_id] = listed
        return survivors, listed_matched

    def _reaching(self, best_words: list[dict[int, float]], need: float,
                  results: dict[int, Alignment]) -> dict[int, float]:
        """Names whose matched query weight (summed over tokens, in order) reaches need."""
        matched = dict(best_words[0])  # 0.0 + w is w: the first token needs no additions
        get = matched.get
        for found in best_words[1:]:
            for name_id, query_w in found.items():
                matched[name_id] = get(name_id, 0.0) + query_w
        return {n: q for n, q in matched.items() if q >= need and n not in results}

    def _closest(self, tokens: tuple[str, ...], assumed: list[int],
                 survivors: Collection[int]) -> list[dict[int, float]]:
        """For each assumed token, the best similarity it reaches in each survivor's words.

        The survivors' distinct words are scored once, then set intersections hand each
        word's similarity to the survivors that hold it (best words first).
        """
        words = set(chain.from_iterable(map(self._name_tokens.__getitem__, survivors)))
        alive = set(survivors)
        found: list[dict[int, float]] = []
        choices = list(words)
        # words rapidfuzz cannot vouch for by their own spelling: canonical words, compared
        # through their long forms too, and listed initials
        special = list(words & self._special_words)
        owners = [w for w in special if len(w) > 1 for _ in self._compared_forms[w]]
        spellings = [f for w in special if len(w) > 1 for f in self._compared_forms[w]]
        initials = [w for w in special if len(w) == 1]
        cutoff = min(MIN_TOKEN_SIMILARITY, 0.6) - 0.05
        for i in assumed:
            token = tokens[i]
            if token in LONG_FORMS:
                near: Iterable[str] = choices
            elif len(token) == 1:  # an initial meets the words it starts
                near = [w for w in choices if w[0] == token] + special
            else:  # spelling similarity is OSA over the longer length: rapidfuzz filters
                near = [m[0] for m in process.extract(
                    token, choices, scorer=OSA.normalized_similarity, limit=None,
                    score_cutoff=cutoff)]
                near += [owners[m[2]] for m in process.extract(
                    token, spellings, scorer=OSA.normalized_similarity, limit=None,
                    score_cutoff=cutoff)]
                near += [w for w in initials if w == token[0]]
            scored = sorted(((sim, w) for w in set(near)
                             if (sim := token_similarity(token, w)[0]) > 0.0), reverse=True)
            best: dict[int, float] = {}
            for sim, word in scored:
                holders = alive.intersection(self.posting_sets[word])
                holders.difference_update(best)
                best.update(dict.fromkeys(holders, sim))
            found.append(best)
        return found

    def _weighed(self, name_id: int, alignment: Alignment) -> Alignment:
        """The alignment with its score lowered when the name is a weak alias."""
        if not self.names[name_id].weak:
            return alignment
        return replace(alignment, score=round(alignment.score * WEAK_ALIAS_FACTOR, 1))

    def _joined_with_next(self, tokens: tuple[str, ...], i: int) -> str | None:
        """Query tokens i and i+1 written together, when the vocabulary has that word."""
        if i + 1 < len(tokens):
            text = tokens[i] + tokens[i + 1]
            text = CANONICAL.get(text, text)  # `com pany` is `company`, i.e. `co`
            if text in self.postings:
                return text
        return None

    def search(self, tokens: tuple[str, ...], min_score: float, *,
               may_be_truncated: bool = False) -> list[tuple[int, Alignment]]:
        """Names whose aligned score with the query tokens reaches min_score.

        A name reaches min_score only if it matches a share `need` of the query's weight.
        When no single query token weighs that much, a candidate must hold several of them
        (or their typo neighbours) that together do: set intersections find those.
        Otherwise it must hold one of the rarest tokens outside any lighter set: the union
        of their postings. Only names whose score bound reaches min_score are then aligned.
        """
        if not tokens:
            return []
        results: dict[int, Alignment] = {}
        for name_id in self.exact.get(tuple(sorted(tokens)), ()):
            alignment = self._weighed(name_id, align(tokens, tokens))
            if alignment.score >= min_score:
                results[name_id] = alignment
        last = len(tokens) - 1
        plans = [self.plans.plan(token, may_be_truncated and i == last)
                 for i, token in enumerate(tokens)]
        weights = [plan.weight for plan in plans]
        query_weight = sum(weights)
        t = min(max(min_score, 1.0), 100.0) / 100.0
        need = QUERY_EXTRA_PENALTY * t * query_weight / (1 - t + QUERY_EXTRA_PENALTY * t)
        joined = [self._joined_with_next(tokens, i) for i in range(len(tokens))]
        fuzzy = [plan.expansions for plan in plans]
        reach = [plan.reach for plan in plans]
        credit = [plan.credit for plan in plans]
        assumed = [i for i, plan in enumerate(plans) if plan.assumed]
        unsure = sum(weights[i] * credit[i] * FUZZY_BOUND for i in assumed)
        listed_unsure = sum(max(weights[i], 1.0) * credit[i] * FUZZY_BOUND for i in assumed)
        tail_penalty = TRUNCATED_TAIL_PENALTY if may_be_truncated else LISTED_MISSING_PENALTY
        floor = min_score - BOUND_SLACK
        if 1 < len(tokens) <= MAX_PAIR_TOKENS and need - unsure > max(weights):
            candidates = self._pair_candidates(tokens, plans, joined, weights, need - unsure)
        else:
            unseen = [credit[i] if i in assumed and fuzzy[i] else 0.0
                      for i in range(len(tokens))]
            candidates = self._rare_candidates(tokens, weights, need, reach, plans, joined,
                                               floor, tail_penalty, unseen)
        # Matched weight of each candidate on both sides, from set intersections (C speed);
        # a name that cannot reach the needed share of the query is dropped unaligned.
        bounded = self._bounded(tokens, weights, plans, joined, candidates, results, assumed,
                                need - unsure - 1e-9, (unsure, listed_unsure),
                                query_weight, tail_penalty, floor)
        # Best bounds first; an alias whose bound cannot beat its entry's best score so far
        # is skipped (skipping within BOUND_SLACK of it reported a worse alias, 93.3 for
        # 95.2, at no measurable gain in speed).
        best: dict[int, float] = {self.names[n].entity: a.score for n, a in results.items()}
        for bound, name_id in bounded:
            entity = self.names[name_id].entity
            if bound <= best.get(entity, -1.0):
                continue
            name = self.names[name_id]
            alignment = self._weighed(
                name_id, align(tokens, name.tokens, may_be_truncated=may_be_truncated,
                               listed_groups=name.groups))
            if alignment.score >= min_score and alignment.score > best.get(entity, -1.0):
                results[name_id] = alignment
                best[entity] = alignment.score
        return list(results.items())
