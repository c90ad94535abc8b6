"""Pair scoring: align the tokens of two normalised names and turn the alignment into 0-100.

Each token carries a weight (legal forms and generic words such as TRADING, BANK, AL weigh
little), each aligned pair a similarity (exact, romanisation variant, typo, truncated prefix,
initial, run-together words). The score is a Tversky-style ratio of matched weight to
matched plus unexplained weight, scaled to 0-100: 100 only when every token matches exactly.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from streams.screening.normalize import (
    NormalizedName,
    complete_cut_phrase,
    normalize_name,
    phonetic_key,
)
from streams.screening.vocabulary import ARTICLES, CANONICAL, GENERIC, LEGAL_FORMS

__all__ = ["Alignment", "TokenPair", "align", "compared_forms", "compound_discount",
           "legal_form_slip", "may_be_truncated", "read_name", "token_similarity", "token_weight",
           "whole_groups"]

QUERY_EXTRA_PENALTY = 0.5  # weight of query tokens the listed name does not explain
LISTED_MISSING_PENALTY = 0.5  # weight of listed tokens the query lacks
TRUNCATED_TAIL_PENALTY = 0.1  # weight of listed tokens lost after a field cut
TRUNCATION_MIN_CHARS = 30  # a query this long may have been cut by a fixed-width field
MIN_TOKEN_SIMILARITY = 0.6  # token pairs below this do not align
EDIT_COST = 0.9  # an edit costs 0.9 of a letter: two typos in a long word still align
TRANSPOSITION_COST = 0.5  # a lone swap of two neighbouring letters counts half an edit
VARIANT_SIMILARITY = 0.8  # romanisation variants with the same spelling key
ARTICLE_SIMILARITY = 0.95  # `alitihaad` and `itihaad`: the lists drop a separate article
ARTICLE_WORD_MIN_CHARS = 5  # the word without it: `ulrich` is not `u`+`l` + `rich`
JOINED_SIMILARITY = 0.95  # two words run together (`dandonghongxiang`), or split
SLIPPED_JOIN_MIN_CHARS = 7  # a run-together word with a slip: long enough to tell apart
SLIPPED_JOIN_MIN_SIMILARITY = 0.88  # one edit in a word of eight letters or more
LEGAL_FORM_SLIP_MAX_CHARS = 3  # `sa`, `co`, `llc`: a slip in them leaves no spelling pair
GLUED_ARTICLES = frozenset(a for a in ARTICLES if len(a) == 2)  # al, el, ul

PATRONYMIC_ENDINGS = ("ovich", "evich", "ovna", "evna", "ovic", "evic", "ichna")

_LONG_FORMS: dict[str, tuple[str, ...]] = {}
for _form, _canon in CANONICAL.items():
    _LONG_FORMS[_canon] = (*_LONG_FORMS.get(_canon, ()), _form)
LONG_FORMS = frozenset(_LONG_FORMS)  # canonical words that also compare through long forms


def may_be_truncated(name: str) -> bool:
    """A name this long may have been cut by a fixed-width payment field (MT 35 characters)."""
    return len(name.strip()) >= TRUNCATION_MIN_CHARS


def read_name(name: str) -> tuple[NormalizedName, bool]:
    """A name normalised as screening reads it, and whether it may have been cut.

    One that may have been cut has the multi-word form it was cut inside completed
    (complete_cut_phrase). Queries and listed names are read alike: lists cut long names too.
    """
    normalized, truncated = normalize_name(name), may_be_truncated(name)
    return (complete_cut_phrase(normalized) if truncated else normalized), truncated


def compared_forms(word: str) -> tuple[str, ...]:
    """The spellings token_similarity compares a listed word through: itself, its long forms."""
    return (word, *(f for f in _LONG_FORMS.get(word, ()) if len(f) > 3 and f != word))


@lru_cache(maxsize=65536)
def token_weight(token: str) -> float:
    """How much a token says about identity: legal forms and generic words say little."""
    if token in LEGAL_FORMS:
        return 0.15
    if token in GENERIC:
        return 0.35
    if token.endswith(PATRONYMIC_ENDINGS) and len(token) > 6:
        return 0.5  # Russian patronymics are often left out of payment messages
    if len(token) == 1:
        return 0.3
    if len(token) == 2:
        return 0.7
    return 1.0


def _spelling_similarity(query: str, listed: str) -> tuple[float, str]:
    """Similarity of two spellings: edits over length, raised for romanisation variants."""
    shorter = min(len(query), len(listed))
    if shorter == 1:
        return (0.7, "initial") if query[0] == listed[0] else (0.0, "")
    edits = float(OSA.distance(query, listed))
    if edits == 1 and len(query) == len(listed) and Levenshtein.distance(query, listed) == 2:
        edits = TRANSPOSITION_COST  # two neighbouring letters swapped: the commonest slip
    sim = 1.0 - EDIT_COST * edits / max(len(query), len(listed))
    if shorter >= 4 and 0.6 <= sim < VARIANT_SIMILARITY:
        key = phonetic_key(query)
        if len(key.replace("*", "")) >= 3 and key == phonetic_key(listed):
            return VARIANT_SIMILARITY, "variant"
    return sim, "typo"


def _article_written_on(longer: str, word: str) -> bool:
    """`alitihaad` for `itihaad`: an Arabic name with its article written onto it."""
    return (len(word) >= ARTICLE_WORD_MIN_CHARS and len(longer) == len(word) + 2
            and longer[:2] in GLUED_ARTICLES and longer.endswith(word))


@lru_cache(maxsize=262144)
def token_similarity(query: str, listed: str) -> tuple[float, str]:
    """Similarity of two tokens in 0..1 and how they matched (exact, variant, typo, ...).

    Canonical tokens are also compared through their long forms, so that a typo in
    `COMTERCIAL` still meets `comercial` although the listed token reads `coml`.
    """
    if query == listed:
        return 1.0, "exact"
    if _article_written_on(query, listed) or _article_written_on(listed, query):
        return ARTICLE_SIMILARITY, "article"
    best, how = _spelling_similarity(query, listed)
    for form in _LONG_FORMS.get(listed, ()):
        if best < 0.9 and len(form) > 3:
            sim, kind = _spelling_similarity(query, form)
            if sim > best:
                best, how = sim, kind
    for form in _LONG_FORMS.get(query, ()):
        if best < 0.9 and len(form) > 3:
            sim, kind = _spelling_similarity(form, listed)
            if sim > best:
                best, how = sim, kind
    if best < MIN_TOKEN_SIMILARITY:
        return 0.0, ""
    return best, how


def _prefix_similarity(query: str, listed: str) -> float:
    """0.9 when the query token is a cut-off start of the listed word or of its long form."""
    if len(query) < 2:
        return 0.0
    for form in _LONG_FORMS.get(listed, (listed,)):
        if len(form) > len(query) and form.startswith(query):
            return 0.9
    return 0.0


@dataclass(frozen=True, slots=True)
class TokenPair:
    """One aligned pair: query token index, listed token indexes, similarity and kind."""

    query: tuple[int, ...]
    listed: tuple[int, ...]
    similarity: float
    how: str


@dataclass(frozen=True, slots=True)
class Alignment:
    """The token alignment of a query with a listed name and the score it gives."""

    score: float
    pairs: tuple[TokenPair, ...]
    extra: tuple[int, ...]  # query tokens left unmatched
    missing: tuple[int, ...]  # listed tokens left unmatched
    truncated_tail: tuple[int, ...]  # listed tokens treated as cut off by a field limit


def _exact_pairs(query: tuple[str, ...], listed: tuple[str, ...], free_q: list[int],
                 free_c: list[int]) -> list[TokenPair]:
    """Pair equal free tokens one to one, nearest positions first."""
    pairs = []
    used: set[int] = set()
    for i in free_q:
        q = query[i]
        best = -1
        for j in free_c:
            c = listed[j]
            if c == q and j not in used and (best < 0 or abs(i - j) < abs(i - best)):
                best = j
        if best >= 0:
            used.add(best)
            pairs.append(TokenPair((i,), (best,), 1.0, "exact"))
    return pairs


def _joined_pairs(query: tuple[str, ...], listed: tuple[str, ...], free_q: list[int],
                  free_c: list[int]) -> list[TokenPair]:
    """Words that ran together on one side (`dandonghongxiang`) or split on the other."""
    pairs = []
    fq, fc = set(free_q), set(free_c)
    for short, long, free_short, free_long, how in (
        (query, listed, fq, fc, "joined"), (listed, query, fc, fq, "split")
    ):
        wanted = {short[i]: i for i in free_short}
        for j in sorted(free_long):
            if j not in free_long or j + 1 not in free_long:
                continue
            for k, i in _joined_spans(long, j, free_long, wanted):
                if i in free_short:
                    span = tuple(range(j, k + 1))
                    free_short.discard(i)
                    free_long.difference_update(span)
                    pairs.append(TokenPair((i,), span, JOINED_SIMILARITY, how) if how == "joined"
                                 else TokenPair(span, (i,), JOINED_SIMILARITY, how))
                    break
    return pairs


def _joined_spans(long: tuple[str, ...], j: int, free: set[int],
                  wanted: dict[str, int]) -> list[tuple[int, int]]:
    """(last index, wanted token) for runs from j whose words, written together, are wanted.

    Two words are also compared through their long forms: `developmentfund` is `dev fund`.
    """
    found = []
    text = long[j]
    for k in (j + 1, j + 2):
        if k not in free:
            break
        text += long[k]
        if text in wanted:
            found.append((k, wanted[text]))
        elif CANONICAL.get(text, text) in wanted:  # `tra ding` is `trading`, i.e. `trdg`
            found.append((k, wanted[CANONICAL[text]]))
    if j + 1 in free and not found:
        joined = _joined_forms(long[j], long[j + 1])
        if not wanted.keys().isdisjoint(joined):
            found += [(j + 1, wanted[text]) for text in joined if text in wanted]
    return found


@lru_cache(maxsize=65536)
def _joined_forms(first: str, second: str) -> tuple[str, ...]:
    """Two words written together, each also through its long forms (in that order)."""
    return tuple(a + b for a in (first, *_LONG_FORMS.get(first, ()))
                 for b in (second, *_LONG_FORMS.get(second, ())))


def _slipped_joins(query: tuple[str, ...], listed: tuple[str, ...], free_q: list[int],
                   free_c: list[int]) -> list[TokenPair]:
    """A long query word that is two neighbouring listed words run together, with one slip.

    `apdolhossein` for `abd hossein` (`abdolhossein` through the long form of `abd`),
    `abdolahi` for `abd lahi`: the spelling similarity of the joined forms, times the
    similarity of an exact run-together pair.
    """
    pairs = []
    used: set[int] = set()
    for i in free_q:
        word = query[i]
        if len(word) < SLIPPED_JOIN_MIN_CHARS:
            continue
        best, at = 0.0, -1
        for j in free_c:
            if j + 1 not in free_c or j in used or j + 1 in used:
                continue
            for form in _joined_forms(listed[j], listed[j + 1]):
                if abs(len(form) - len(word)) <= 1 and OSA.distance(word, form,
                                                                     score_cutoff=2) <= 2:
                    sim, _ = _spelling_similarity(word, form)
                    if sim > best:
                        best, at = sim, j
        if best >= SLIPPED_JOIN_MIN_SIMILARITY:
            used.update((at, at + 1))
            pairs.append(TokenPair((i,), (at, at + 1), round(best * JOINED_SIMILARITY, 3),
                                   "joined slip"))
    return pairs


def legal_form_slip(word: str, form: str) -> bool:
    """Whether a short word is a listed legal form with one letter wrong, added or left out."""
    return (len(word) <= LEGAL_FORM_SLIP_MAX_CHARS and len(form) <= LEGAL_FORM_SLIP_MAX_CHARS
            and form in LEGAL_FORMS and word not in LEGAL_FORMS
            and OSA.distance(word, form) == 1)


def _legal_form_slips(query: tuple[str, ...], listed: tuple[str, ...], free_q: list[int],
                      free_c: list[int]) -> list[TokenPair]:
    """A short query word one edit from a listed legal form is that form mistyped.

    `CRETA E.A.` for `CRETA S.A.`, `& CM KG` for `& CO KG`: too short for a spelling pair
    (one letter of two is half the word), but a legal form weighs little and the slip
    should not count as a word the listed name lacks. They pair at the lowest similarity.
    """
    pairs = []
    used: set[int] = set()
    for i in free_q:
        word = query[i]
        for j in free_c:
            if j not in used and legal_form_slip(word, listed[j]):
                used.add(j)
                pairs.append(TokenPair((i,), (j,), MIN_TOKEN_SIMILARITY, "legal form"))
                break
    return pairs


def _fuzzy_pairs(query: tuple[str, ...], listed: tuple[str, ...], free_q: list[int],
                 free_c: list[int]) -> list[TokenPair]:
    """Align the remaining tokens one to one, best similarity first."""
    scored = []
    for i in free_q:
        for j in free_c:
            sim, how = token_similarity(query[i], listed[j])
            if sim > 0.0:
                scored.append((sim, -abs(i - j), i, j, how))
    scored.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs = []
    for sim, _, i, j, how in scored:
        if i not in used_q and j not in used_c:
            used_q.add(i)
            used_c.add(j)
            pairs.append(TokenPair((i,), (j,), sim, how))
    return pairs


def _free(query: tuple[str, ...], listed: tuple[str, ...],
          pairs: list[TokenPair]) -> tuple[list[int], list[int]]:
    """Indexes of the query and of the listed name that no pair uses."""
    used_q: set[int] = set()
    used_c: set[int] = set()
    for p in pairs:
        used_q.update(p.query)
        used_c.update(p.listed)
    return ([k for k in range(len(query)) if k not in used_q],
            [k for k in range(len(listed)) if k not in used_c])


@lru_cache(maxsize=64)
def _identical(length: int) -> Alignment:
    """The alignment of a name with itself: every token exact (the same for every name)."""
    return Alignment(100.0, tuple(TokenPair((i,), (i,), 1.0, "exact") for i in range(length)),
                     (), (), ())


def align(
    query: tuple[str, ...], listed: tuple[str, ...], *, may_be_truncated: bool = False,
    listed_groups: tuple[tuple[int, ...], ...] = (),
) -> Alignment:
    """Align query tokens with listed-name tokens and score the result in 0-100.

    `listed_groups`: listed token positions that came from one hyphenated word
    (`compound_groups`); a query lacking the whole word lacks one name part.
    """
    if query == listed:
        return _identical(len(query))
    pairs = []
    if len(query) != len(listed):  # words run together or split first: they are certain
        pairs = _joined_pairs(query, listed, list(range(len(query))), list(range(len(listed))))
    free_q, free_c = _free(query, listed, pairs)
    pairs += _exact_pairs(query, listed, free_q, free_c)
    free_q, free_c = _free(query, listed, pairs)
    if free_q and free_c and (len(free_q) > 1 or len(free_c) > 1):
        pairs += _joined_pairs(query, listed, free_q, free_c)
        free_q, free_c = _free(query, listed, pairs)
    last_q = len(query) - 1
    if may_be_truncated and free_c and last_q in free_q:
        for j in free_c:  # the last word, cut off by a fixed-width field
            sim = _prefix_similarity(query[last_q], listed[j])
            if sim and all(j > max(p.listed) for p in pairs):
                pairs.append(TokenPair((last_q,), (j,), sim, "cut"))
                free_q.remove(last_q)
                free_c.remove(j)
                break
    if free_q and len(free_c) > 1:
        slipped = _slipped_joins(query, listed, free_q, free_c)
        if slipped:
            pairs += slipped
            free_q, free_c = _free(query, listed, pairs)
    if free_q and free_c:
        pairs += _fuzzy_pairs(query, listed, free_q, free_c)
        free_q, free_c = _free(query, listed, pairs)
    if free_q and free_c:
        slips = _legal_form_slips(query, listed, free_q, free_c)
        if slips:
            pairs += slips
            free_q, free_c = _free(query, listed, pairs)
    if listed_groups and free_c:
        pairs, free_c = _initials_of_groups(pairs, free_c, listed_groups)
    tail: tuple[int, ...] = ()
    if may_be_truncated and free_c:
        if pairs:
            last_matched = max(max(p.listed) for p in pairs)
            tail = tuple(j for j in free_c if j > last_matched)
            free_c = [j for j in free_c if j <= last_matched]
    return Alignment(_score(query, listed, pairs, free_q, free_c, tail, listed_groups),
                     tuple(pairs), tuple(free_q), tuple(free_c), tail)


def _initials_of_groups(pairs: list[TokenPair], free_c: list[int],
                        groups: tuple[tuple[int, ...], ...]) -> tuple[list[TokenPair], list[int]]:
    """An initial paired with the first token of a hyphenated listed word stands for all of
    it (`S` for `Sang-ho`): the pair takes the word's other tokens when they are free."""
    free = set(free_c)
    starts = {group[0]: group for group in groups if free.issuperset(group[1:])}
    if not starts:
        return pairs, free_c
    out = []
    for pair in pairs:
        group = starts.get(pair.listed[0]) if pair.how == "initial" else None
        if group is not None and len(pair.listed) == 1:
            pair = TokenPair(pair.query, group, pair.similarity, pair.how)
            free.difference_update(group)
        out.append(pair)
    return out, [j for j in free_c if j in free]


def _weight_of(tokens: tuple[str, ...], positions: Sequence[int]) -> float:
    """The summed weight of some of the tokens (added in order, as sum() would)."""
    total = 0.0
    for i in positions:
        total += token_weight(tokens[i])
    return total


def whole_groups(groups: tuple[tuple[int, ...], ...],
                 positions: Collection[int]) -> list[tuple[int, ...]]:
    """The groups (hyphenated words, compound_groups) all of whose tokens are in positions."""
    inside = set(positions)
    return [group for group in groups if inside.issuperset(group)]


def compound_discount(listed: tuple[str, ...], groups: tuple[tuple[int, ...], ...],
                      missing: Collection[int] | None = None) -> float:
    """How much less the missing groups weigh when each counts as its heaviest token.

    With `missing` None, every group counts: the most any alignment can take off.
    """
    discount = 0.0
    for group in groups if missing is None else whole_groups(groups, missing):
        weights = [token_weight(listed[j]) for j in group]
        discount += sum(weights) - max(weights)
    return discount


def _score(query: tuple[str, ...], listed: tuple[str, ...], pairs: list[TokenPair],
           free_q: list[int], free_c: list[int], tail: tuple[int, ...],
           listed_groups: tuple[tuple[int, ...], ...] = ()) -> float:
    """Tversky-style ratio of matched weight to matched plus unexplained weight, 0-100.

    A hyphenated listed word the query lacks entirely counts as its heaviest token.
    """
    matched = 0.0
    lost_q = _weight_of(query, free_q)
    lost_c = _weight_of(listed, free_c)
    if listed_groups and len(free_c) > 1:
        lost_c -= compound_discount(listed, listed_groups, free_c)
    for p in pairs:
        wq = _weight_of(query, p.query)
        # an initial for a hyphenated word weighs as its heaviest token, as a missing one does
        wc = _weight_of(listed, p.listed) if p.how != "initial" else max(
            token_weight(listed[j]) for j in p.listed)
        matched += p.similarity * (wq + wc) / 2
        lost_q += (1 - p.similarity) * wq
        lost_c += (1 - p.similarity) * wc
    lost_tail = _weight_of(listed, tail)
    denominator = (matched + QUERY_EXTRA_PENALTY * lost_q + LISTED_MISSING_PENALTY * lost_c
                   + TRUNCATED_TAIL_PENALTY * lost_tail)
    if denominator <= 0:
        return 0.0
    return round(min(100.0, 100.0 * matched / denominator), 1)
