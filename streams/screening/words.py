"""Which vocabulary words a query token may stand for: typos, variants, halves, cut-offs.

The vocabulary is every token of every indexed name, plus the long forms of canonical words
(`commercial` for `coml`). A query token stands for words one edit away (one-deletion keys on
both sides), two edits away when nothing is one edit away, with the same sound key (Jong,
Chong, Jeong), the two words it joins (`dandonghongxiang`), or the words a cut-off last token
starts. Results are cached per token, so repeated words cost one lookup.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Collection

from rapidfuzz import process
from rapidfuzz.distance import OSA

from streams.screening.normalize import canonical_word, phonetic_key
from streams.screening.scoring import (
    EDIT_COST,
    GLUED_ARTICLES,
    LEGAL_FORM_SLIP_MAX_CHARS,
    MIN_TOKEN_SIMILARITY,
    legal_form_slip,
    token_similarity,
)
from streams.screening.vocabulary import CANONICAL, LEGAL_FORMS

__all__ = ["HALVES_MIN_CHARS", "TWO_EDIT_MIN_CHARS", "WordLookup"]

MAX_FUZZY_TOKENS = 40  # sound variants and cut-off completions kept per query token
# Typo neighbours kept per query token. A neighbour left out is one the index does not reach
# although align() may pair it; at 40, 15 of 20,327 tokens of the dev, generated and
# held-out-style names had more (`ala`, 44: `KAMALI, ALA` missed `KAMALI, Ali`, or not,
# by the process's hash seed, which ordered the ties); the most seen is 50.
MAX_NEIGHBOURS = 200
NEIGHBOUR_CACHE_SIZE = 100_000  # query tokens whose neighbours are remembered
TWO_EDIT_MIN_CHARS = 6  # tokens this long with no neighbour one edit away look two edits away
HALVES_MIN_CHARS = 4  # `yili` is `yi`+`li` (Korean and Chinese syllables run together)
ARTICLE_REST_MIN_CHARS = 3  # `aldin` stands for `din`, `alba` not for `ba`
# token_similarity's floor as rapidfuzz's OSA normalized similarity (1 - edits / longer length),
# with a margin: a full scan must not miss a word that align() would pair
SCAN_CUTOFF = 1.0 - (1.0 - MIN_TOKEN_SIMILARITY) / EDIT_COST - 0.01


def _one_edit_variants(word: str) -> set[str]:
    """Every string one deletion, substitution, insertion or swap of neighbours from `word`."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in cuts if b}
            | {a + c + b[1:] for a, b in cuts if b for c in letters}
            | {a + c + b for a, b in cuts for c in letters}
            | {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1})


def _deletions(token: str) -> list[str]:
    """The strings one deletion away from a token."""
    return [token[:i] + token[i + 1:] for i in range(len(token))]


class WordLookup:
    """Typo, sound, halves and prefix lookups over a vocabulary of name tokens."""

    def __init__(self, vocabulary: Collection[str]) -> None:
        self.vocabulary = vocabulary
        forms = {t: t for t in vocabulary}
        for form, canon in CANONICAL.items():
            if canon in vocabulary:
                forms.setdefault(form, canon)
        self.forms = forms  # vocabulary words and long forms -> vocabulary word
        # short words one edit from a listed legal form (`ea`, `cm`) -> the forms: see
        # legal_form_slip (built once: a lookup, not an edit distance, per query word)
        self._legal_form_slips: dict[str, list[str]] = {}
        for form in vocabulary:
            if form in LEGAL_FORMS and len(form) <= LEGAL_FORM_SLIP_MAX_CHARS:
                for slip in _one_edit_variants(form):
                    if legal_form_slip(slip, form):
                        self._legal_form_slips.setdefault(slip, []).append(form)
        self._deletion_index: dict[str, list[str]] = {}
        self._sound_index: dict[str, list[str]] = {}
        for form, token in forms.items():
            if len(form) >= 3:
                for deleted in _deletions(form):
                    self._deletion_index.setdefault(deleted, []).append(token)
                key = phonetic_key(form)
                if len(key.replace("*", "")) >= 3:
                    self._sound_index.setdefault(key, []).append(token)
        self._with_article: dict[str, list[str]] = {}  # `rawi` -> [`alrawi`] when listed
        for form, token in forms.items():
            if form[:2] in GLUED_ARTICLES and len(form) >= 2 + ARTICLE_REST_MIN_CHARS:
                self._with_article.setdefault(form[2:], []).append(token)
        self._sorted_forms: list[str] = sorted(forms)
        # by length, so that a scan reads only the lengths its cutoff allows
        self._scan_forms: list[str] = sorted((f for f in forms if len(f) >= 2), key=len)
        self._scan_lengths: list[int] = [len(f) for f in self._scan_forms]
        self._neighbour_cache: dict[str, frozenset[str]] = {}
        self._halves_cache: dict[str, list[tuple[str, str]]] = {}

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
        if len(token) == 2:  # a two-letter word aligns with one letter more or swapped
            found.update(self._deletion_index.get(token, ()))  # `ld` for `old`
            swapped = self.forms.get(token[::-1])  # `li` for `il`
            if swapped is not None and swapped != token:
                found.add(swapped)
        if len(token) >= 3:
            found.update(self._deletion_index.get(token, ()))
            for deleted in _deletions(token):
                if deleted in self.forms:
                    found.add(self.forms[deleted])
                found.update(self._deletion_index.get(deleted, ()))
            found.update(self._sound_index.get(phonetic_key(token), ())[:MAX_FUZZY_TOKENS])
        if not found and len(token) >= TWO_EDIT_MIN_CHARS:
            # nothing one edit away: look two edits away (two deletions on the query side
            # meet one deletion on the vocabulary side)
            for once in set(_deletions(token)):
                for twice in _deletions(once):
                    if twice in self.forms:
                        found.add(self.forms[twice])
                    found.update(self._deletion_index.get(twice, ()))
        if len(found) > MAX_NEIGHBOURS:  # closest first, ties in a fixed order
            ranked = sorted(found, key=lambda t: (-token_similarity(token, t)[0], t))
            found = set(ranked[:MAX_NEIGHBOURS])
        return {t for t in found if token_similarity(token, t)[0] > 0.0}

    def similar_words(self, token: str) -> set[str]:
        """Every vocabulary word a token aligns with by spelling: a full scan (about 1-2 ms).

        Unlike the neighbour lookups, which see one edit (two when nothing is one edit away),
        this misses none, so a token it was run for needs no allowance for unseen words.
        Halves and cut-off completions are not spelling matches: expand_token adds those.
        """
        found = set(self._neighbours(token))  # usually cached: the plan before was built on them
        # OSA similarity is 1 - edits / the longer length, and the lengths differ by at least
        # that many edits: only words from SCAN_CUTOFF times as long to 1 / SCAN_CUTOFF can pass
        lengths = self._scan_lengths
        forms = self._scan_forms[bisect_left(lengths, math.floor(len(token) * SCAN_CUTOFF)):
                                 bisect_right(lengths, math.ceil(len(token) / SCAN_CUTOFF))]
        for form, _, _ in process.extract(token, forms, scorer=OSA.normalized_similarity,
                                          score_cutoff=SCAN_CUTOFF, limit=None):
            word = self.forms[form]
            if word not in found and token_similarity(token, word)[0] > 0.0:
                found.add(word)
        return found

    def halves(self, token: str) -> list[tuple[str, str]]:
        """The pairs of vocabulary words that may have run together into one token, at
        every cut (`songil`: `son`+`gil`, `song`+`il`; cached with neighbours)."""
        cached = self._halves_cache.get(token)
        if cached is None:
            cached = self._find_halves(token)
            if len(self._halves_cache) >= NEIGHBOUR_CACHE_SIZE:
                self._halves_cache.clear()
            self._halves_cache[token] = cached
        return cached

    def _find_halves(self, token: str) -> list[tuple[str, str]]:
        """The pairs of vocabulary words that ran together into one token."""
        found = []
        for cut in range(2, len(token) - 1):
            left = self._as_listed(token[:cut])
            if left is not None:
                right = self._as_listed(token[cut:])
                if right is not None:
                    found.append((left, right))
        return found

    def _as_listed(self, part: str) -> str | None:
        """The vocabulary word a part of a token stands for, as the word rules would read it
        alone (`electronico` is `elec`)."""
        word = self.forms.get(part)
        if word is None:
            canon = canonical_word(part)
            if canon is not None and canon in self.vocabulary:
                return canon
        return word

    def _article_forms(self, token: str) -> list[str]:
        """The word with or without an article written onto it (`alrawi`, `rawi`).

        The lists drop a separate article (`AL-RAWI` is `rawi`) and keep one written onto
        the word (`ALBOSTANI`); a query may do either. align() pairs them at 0.95 when the
        word has five letters or more (scoring.ARTICLE_WORD_MIN_CHARS), as spelling else.
        """
        found = self._with_article.get(token, [])
        if len(token) >= 2 + ARTICLE_REST_MIN_CHARS and token[:2] in GLUED_ARTICLES:
            word = self.forms.get(token[2:])
            if word is not None:
                return [*found, word]
        return found

    def _completions(self, prefix: str) -> set[str]:
        """Vocabulary words (or their canonical forms) that a cut-off token starts."""
        found: set[str] = set()
        start = bisect_left(self._sorted_forms, prefix)
        for form in self._sorted_forms[start:start + MAX_FUZZY_TOKENS]:
            if not form.startswith(prefix):
                break
            found.add(self.forms[form])
        return found

    def expand(self, tokens: tuple[str, ...], i: int, may_be_truncated: bool) -> set[str]:
        """The vocabulary words query token i may stand for: itself, typos, halves, cut-offs."""
        return self.expand_token(tokens[i], may_be_truncated and i == len(tokens) - 1)

    def expand_token(self, token: str, completing: bool, *, complete: bool = False) -> set[str]:
        """The vocabulary words a token may stand for; `completing`: it may be cut short.

        `complete`: every word within spelling reach (similar_words), not only close ones.
        """
        found: set[str] = self.similar_words(token) if complete else set(self._neighbours(token))
        if token in self.vocabulary:
            found.add(token)
        if len(token) >= HALVES_MIN_CHARS:
            for pair in self.halves(token):
                found.update(pair)
        if len(token) >= ARTICLE_REST_MIN_CHARS:
            found.update(self._article_forms(token))
        if completing and len(token) >= 2:
            found |= self._completions(token)
        if len(token) <= LEGAL_FORM_SLIP_MAX_CHARS:
            found.update(self._legal_form_slips.get(token, ()))
        return found
