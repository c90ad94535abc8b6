"""Query token plans, worked out once per token: words repeat far more than names.

A token's plan is its vocabulary expansions (itself, typos, sound variants, halves, cut-off
completions) with the weights each gives on both sides, best first, and how many names hold
them. The union of the postings of its close expansions (the names holding the token, for
blocking on pairs) and the intersections of two common tokens' unions are remembered too,
within an element budget. Plans and unions depend on the token only (and on whether it is
the last token of a query a field may have cut), so remembering them changes no result.

An unknown token's plan first holds only its close neighbours; the index then allows for
words further away and prices them name by name. Once pricing a token has cost more than a
full vocabulary scan would, its plan is made complete: every word it can align with, so no
allowance and no pricing is needed any more (recurring unknown words: company words,
surnames the lists do not hold).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from streams.screening.scoring import (
    LONG_FORMS,
    MIN_TOKEN_SIMILARITY,
    token_similarity,
    token_weight,
)
from streams.screening.words import WordLookup

__all__ = ["HolderKey", "TokenPlan", "TokenPlans", "expansion_similarity", "unfound_similarity"]

TOKEN_CACHE_SIZE = 20_000  # query tokens whose expansions and word plans are remembered
HOLDER_CACHE_ELEMENTS = 500_000  # name ids kept in remembered unions and intersections
COMMON_HOLDERS = 200  # intersections of two tokens held this often are remembered
# names priced for one unknown token before its plan is completed by a full scan (a few ms):
# 1,000 against 2,000 took generated names (recurring unknown words) from 103 to 89 us each
# and left the all-distinct dev set as it was (250: dev set 10 % slower)
COMPLETE_AFTER_PRICED = 1_000
COMPLETE_MIN_CHARS = 3  # shorter tokens reach nothing beyond their one-edit neighbours
ASSUMED_MIN_CHARS = 4  # unknown tokens this long may be two edits from a listed word

HolderKey = tuple[str, bool, bool]  # (token, completing, complete)


@dataclass(frozen=True, slots=True)
class TokenPlan:
    """What one query token may stand for: vocabulary words and their weights, best first."""

    token: str
    expansions: frozenset[str]
    words: tuple[tuple[float, float, str], ...]  # (query weight, listed weight, word)
    size: int  # postings of all expansions: how rare the token is
    completing: bool  # the last token of a query that a field may have cut
    complete: bool = False  # expansions hold every word it aligns with: nothing is assumed
    by_word: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # words' weights
    weight: float = 1.0  # the token's own weight
    reach: float = 1.0  # the best similarity it may reach with any word
    credit: float = 0.0  # what an assumed token may add, per unit of weight
    assumed: bool = False  # it may align with words its expansions do not hold

    @property
    def key(self) -> HolderKey:
        """What the remembered unions of this plan are filed under."""
        return (self.token, self.completing, self.complete)


def unfound_similarity(token: str) -> float:
    """The best similarity a token with no vocabulary word near it may still reach.

    Neighbours one edit away are always looked up, so what is left is two edits or more
    (the two-edit lookup misses two substitutions); initials align with any word they start.
    """
    if len(token) == 1:
        return 0.7
    sim = 1.0 - 2.0 / (len(token) + 2)  # two letters the query lost: the longest pair
    return sim if sim >= MIN_TOKEN_SIMILARITY else 0.0


@lru_cache(maxsize=262144)
def expansion_similarity(token: str, vocab_token: str) -> float:
    """The similarity align() may give a query token and one of its expansions (or more)."""
    sim = token_similarity(token, vocab_token)[0]
    if (vocab_token.startswith(token) or token.startswith(vocab_token)
            or token.endswith(vocab_token) or sim == 0.0):
        return max(sim, 0.95)  # cut-off words and halves of run-together words
    return sim


class TokenPlans:
    """Remembered token plans, and the names holding a token or two tokens."""

    def __init__(self, posting_sets: Mapping[str, frozenset[int]], words: WordLookup) -> None:
        self.posting_sets = posting_sets
        self.words = words
        self._token_plans: dict[tuple[str, bool], TokenPlan] = {}
        self._holders: dict[object, frozenset[int]] = {}
        self._held = 0
        self._priced: dict[str, int] = {}  # unknown token -> names priced for it so far

    def plan(self, token: str, completing: bool) -> TokenPlan:
        """A query token's expansions and weighted words, best first (cached per token)."""
        key = (token, completing)
        plan = self._token_plans.get(key)
        if plan is None or (not plan.complete
                            and self._priced.get(token, -1) >= COMPLETE_AFTER_PRICED):
            complete = plan is not None
            expansions = frozenset(self.words.expand_token(token, completing, complete=complete))
            weight = token_weight(token)
            words = []
            for x in expansions:
                sim = 1.0 if x == token else expansion_similarity(token, x)
                words.append((weight * sim, token_weight(x) * sim, x))
            words.sort(reverse=True)
            size = sum(len(self.posting_sets[x]) for x in expansions) if expansions else 1 << 30
            # A token with no vocabulary word within one edit can still align with two
            # edits, and an initial with any word it starts: neither is looked up, both are
            # assumed. An unknown token may also be a misspelling two edits away from a word
            # that its neighbours (one edit) do not include: that is assumed too.
            reach = 1.0 if expansions else 0.0 if complete else unfound_similarity(token)
            assumed = not complete and (
                not expansions or len(token) == 1
                or (token not in self.posting_sets and len(token) >= ASSUMED_MIN_CHARS))
            credit = unfound_similarity(token) if expansions and len(token) > 1 else reach
            plan = TokenPlan(token, expansions, tuple(words), size, completing, complete,
                             {x: (query_w, listed_w) for query_w, listed_w, x in words},
                             weight, reach, credit, assumed)
            if len(self._token_plans) >= TOKEN_CACHE_SIZE:
                self._token_plans.clear()
                self._priced.clear()
            self._token_plans[key] = plan
        return plan

    def may_complete(self, token: str) -> bool:
        """Whether a full scan can replace the allowance made for a token's unseen words."""
        return (len(token) >= COMPLETE_MIN_CHARS and token not in self.posting_sets
                and token not in LONG_FORMS)

    def note_priced(self, token: str, names: int) -> None:
        """Count names priced for an unknown token; enough of them and its plan is completed."""
        if self.may_complete(token):
            self._priced[token] = self._priced.get(token, 0) + names

    def holders(self, token: str, plan: TokenPlan) -> frozenset[int]:
        """Names holding a token or a neighbour close enough to align (cached per token)."""
        key = plan.key
        cached = self._holders.get(key)
        if cached is not None:
            return cached
        found = [self.posting_sets[x] for x in plan.expansions
                 if x == token or expansion_similarity(token, x) >= MIN_TOKEN_SIMILARITY]
        if not found:
            cached = frozenset()
        elif len(found) == 1:
            cached = found[0]
        else:
            cached = self._remember(key, frozenset().union(*found))
        self._holders[key] = cached
        return cached

    def _remember(self, key: object, names: frozenset[int]) -> frozenset[int]:
        """Keep a union or intersection of postings, within the cache's element budget."""
        if self._held + len(names) > HOLDER_CACHE_ELEMENTS:
            self._holders.clear()
            self._held = 0
        self._held += len(names)
        self._holders[key] = names
        return names

    def both(self, first: tuple[HolderKey, frozenset[int]],
             second: tuple[HolderKey, frozenset[int]]) -> frozenset[int]:
        """Names holding both of two query tokens; cached when both are common."""
        if len(first[1]) < COMMON_HOLDERS or len(second[1]) < COMMON_HOLDERS:
            return first[1] & second[1]
        key = (first[0], second[0])
        cached = self._holders.get(key)
        if cached is None:
            cached = self._remember(key, first[1] & second[1])
        return cached
