"""A lean screener, for scale: what a design cheap enough for the 20x target keeps.

Token blocking as search engines do it (a listed name is a candidate when it holds a query
token, or a word one edit from one, that at most `cap` names hold), then rapidfuzz
`token_sort_ratio` over the candidates in one `cdist` call, the best score per entry. No
legal-form, abbreviation, transliteration-variant, truncation or order rules beyond
sorting tokens: each would cost CPU per name. Run beside the floor by
`benchmarks.screening_speed`, at several caps, it shows the CPU a Python design needs for a
given recall.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from anyascii import anyascii
from rapidfuzz import fuzz, process

__all__ = ["LeanScreener"]

# words that carry nothing for blocking or scoring: legal forms, articles, honorifics
IGNORED = frozenset(
    "co ltd llc inc corp corporation company limited sa ag gmbh the of and al el de la "
    "mr mrs dr bin ibn".split())
_NOT_WORD = re.compile(r"[^a-z0-9]+")
MIN_DELETION_CHARS = 4  # shorter words find too many one-edit neighbours to block on


def lean_tokens(name: str) -> list[str]:
    """ASCII, lower case, words of letters and digits, ignored words left out."""
    return [t for t in _NOT_WORD.sub(" ", anyascii(name).lower()).split() if t not in IGNORED]


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1:] for i in range(len(word))]


class LeanScreener:
    """Exact and one-edit token blocking, rapidfuzz scoring; `keys[i]` is name i's entry."""

    def __init__(self, names: Sequence[str], keys: Sequence[str]) -> None:
        self.keys = keys
        tokens = [lean_tokens(name) for name in names]
        self.sorted_names = [" ".join(sorted(t)) for t in tokens]
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for i, words in enumerate(tokens):
            for word in set(words):
                postings[word].append(i)
        self.postings = dict(postings)
        by_deletion: defaultdict[str, list[str]] = defaultdict(list)
        for word in self.postings:
            if len(word) >= MIN_DELETION_CHARS:
                for deleted in _deletions(word):
                    by_deletion[deleted].append(word)
        self.by_deletion = dict(by_deletion)

    def _words(self, token: str) -> list[str]:
        """The token and the listed words one edit from it (symmetric deletions)."""
        found = [token] if token in self.postings else []
        if len(token) >= MIN_DELETION_CHARS:
            found += self.by_deletion.get(token, ())
            for deleted in _deletions(token):
                if deleted in self.postings:
                    found.append(deleted)
                found += self.by_deletion.get(deleted, ())
        return found

    def best_by_entry(self, query: str, cap: int) -> dict[str, float]:
        """The best score of each candidate entry (0-100); words held by more than `cap`
        names do not block."""
        tokens = lean_tokens(query)
        candidates: set[int] = set()
        for token in tokens:
            for word in self._words(token):
                held = self.postings[word]
                if len(held) <= cap:
                    candidates.update(held)
        if not candidates:
            return {}
        ids = list(candidates)
        scores = process.cdist([" ".join(sorted(tokens))], [self.sorted_names[i] for i in ids],
                               scorer=fuzz.token_sort_ratio)[0]
        best: dict[str, float] = {}
        for i, score in zip(ids, scores, strict=True):
            key = self.keys[i]
            if score > best.get(key, -1.0):
                best[key] = float(score)
        return best
