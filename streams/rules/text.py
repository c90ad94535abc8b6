"""Text normalisation for rules: keyword and phrase matching on word boundaries."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from anyascii import anyascii

__all__ = ["PhraseMatcher", "compact_account", "normalize_text"]

_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
#: Distinct texts whose normal form is remembered: names, banks and remittance lines repeat.
NORMALIZED_CACHE_SIZE = 16384


@lru_cache(maxsize=NORMALIZED_CACHE_SIZE)
def normalize_text(text: str) -> str:
    """Lower-case ASCII words and single spaces: "Nampo-Port, D.P.R.K" -> "nampo port d p r k"."""
    ascii_text = anyascii(text).lower()
    ascii_text = _APOSTROPHES.sub("", ascii_text)
    return _NON_WORD.sub(" ", ascii_text).strip()


def compact_account(account: str) -> str:
    """An account number as rules compare and look it up: no spaces, upper case."""
    return "".join(account.split()).upper()


class PhraseMatcher:
    """Finds whole-word phrases in normalised text; built once per keyword set."""

    __slots__ = ("_by_norm", "_first_words", "_found", "_pattern")

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_norm: dict[str, str] = {}
        for phrase in phrases:
            norm = normalize_text(phrase)
            if norm:
                self._by_norm.setdefault(norm, phrase)
        # a phrase starts at a word of the normalised text: a text holding none of the
        # phrases' first words is passed over without the (slower) pattern
        self._first_words = frozenset(norm.split(" ", 1)[0] for norm in self._by_norm)
        alternatives = sorted(self._by_norm, key=len, reverse=True)
        body = "|".join(re.escape(a) for a in alternatives) or r"(?!x)x"
        self._pattern = re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")
        self._found: dict[str, tuple[str, ...]] = {}  # text -> phrases: bank names recur

    def find(self, text: str) -> list[str]:
        """The phrases (as written in the set) that occur in `text`, in order of appearance."""
        found = self._found.get(text)
        if found is None:
            phrases: list[str] = []
            norm = normalize_text(text)
            if not self._first_words.isdisjoint(norm.split(" ")):
                for match in self._pattern.finditer(norm):
                    phrase = self._by_norm[match.group(0)]
                    if phrase not in phrases:
                        phrases.append(phrase)
            found = tuple(phrases)
            if len(self._found) >= NORMALIZED_CACHE_SIZE:
                self._found.clear()
            self._found[text] = found
        return list(found)
