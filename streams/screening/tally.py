"""Matched weight and score bounds of many candidate names at once, in numpy.

The index hands over its candidate names (sorted ids) and, for each query token, the
vocabulary words the token may stand for with the weight each gives on the query side and
on the listed side. Postings are sorted id arrays, so one `searchsorted` per word tells
which candidates hold it: no Python loop runs per candidate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["Tally", "TokenPlan"]

# For one query token: (query-side weight, listed-side weight, vocabulary word) per word.
TokenPlan = list[tuple[float, float, str]]
Ids = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


class Tally:
    """Sorted posting arrays plus each name's total weight and weak flag."""

    def __init__(self, postings: Mapping[str, Sequence[int]], weights: Sequence[float],
                 weak: Sequence[bool], repeats: Mapping[str, Mapping[int, int]]) -> None:
        self.arrays: dict[str, Ids] = {
            t: np.sort(np.fromiter(ids, dtype=np.int64, count=len(ids)))
            for t, ids in postings.items()}
        self.weights: Floats = np.asarray(weights, dtype=np.float64)
        self.weak = np.asarray(weak, dtype=bool)
        self.repeats = repeats  # token -> names holding it twice or more -> count

    def matched(self, candidates: Ids, plan: Sequence[TokenPlan]) -> tuple[Floats, Floats]:
        """Query-side and listed-side matched weight of each candidate (sorted ids)."""
        size = len(candidates)
        query_side = np.zeros(size)
        listed_side = np.zeros(size)
        for words in plan:
            best = np.zeros(size)  # a query token counts once: its best word
            for query_w, listed_w, word in words:
                ids = self.arrays[word]
                pos = np.searchsorted(ids, candidates)
                np.minimum(pos, len(ids) - 1, out=pos)
                held = ids[pos] == candidates
                if not held.any():
                    continue
                listed_side[held] += listed_w
                np.maximum(best, np.where(held, query_w, 0.0), out=best)
                repeated = self.repeats.get(word)
                if repeated:  # a name holding the word twice matches it twice
                    for name_id, count in repeated.items():
                        at = int(np.searchsorted(candidates, name_id))
                        if at < size and candidates[at] == name_id:
                            listed_side[at] += listed_w * (count - 1)
            query_side += best
        return query_side, listed_side

    def bounds(self, ids: Ids, query_matched: Floats, listed_matched: Floats,
               query_weight: float, query_extra: Floats | float, listed_extra: Floats | float,
               query_penalty: float, listed_penalty: float, weak_factor: float) -> Floats:
        """The best score each name could still reach, from its matched weights."""
        name_weight = self.weights[ids]
        q = np.minimum(query_weight, query_matched + query_extra)
        c = np.minimum(name_weight, listed_matched + listed_extra)
        matched = (q + c) / 2
        bound = 100.0 * matched / (matched + query_penalty * (query_weight - q)
                                   + listed_penalty * (name_weight - c))
        return np.where(self.weak[ids], bound * weak_factor, bound)
