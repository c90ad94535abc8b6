"""Name normalisation: any script to ASCII tokens with legal forms and abbreviations canonical.

The same function prepares listed names and queries, so that both sides meet in one form:
`Dandong Hongxiang Ind. Dev. Co., Ltd.` and `DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO LTD`
both become `dandong hongxiang ind dev co ltd`. Normalising a normalised name changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import OSA

from streams.screening.vocabulary import (
    ABD_ALLAH_FORMS,
    ARTICLES,
    CANONICAL,
    GLUED_PREFIXES,
    HONORIFICS,
    LEGAL_FORMS,
    NAME_VARIANTS,
    PHRASES,
)

__all__ = ["MAX_NAME_CHARS", "MAX_NAME_TOKENS", "NormalizedName", "canonical_word",
           "complete_cut_phrase", "compound_groups", "normalize_name", "phonetic_key",
           "rejoin_split_words"]

MAX_NAME_CHARS = 256  # longer input is cut here, and the cut is reported
MAX_NAME_TOKENS = 24  # so are names of more words than this

_GLUED_ACRONYM = re.compile(r"([a-z]{2,})([a-z]\.(?:[a-z]\.)+)")  # "panamericanas.a.", "dec.v."
# without its last dot only when it spells a legal form: "galapagoss.a", not "john.a"
_GLUED_LEGAL_ACRONYM = re.compile(r"([a-z]{2,})([a-z](?:\.[a-z])+)(?![a-z.])")
_ACRONYM_GLUED = re.compile(r"\b([a-z]\.(?:[a-z]\.)+)([a-z]{2,})")  # "s.a.de"
_ACRONYM = re.compile(r"\b[a-z](?:\.[a-z])+\b\.?")
# The Arabic article takes the first consonant of a word it is written onto (sun letters):
# `as-Saadi`, `ad-Din`, `ash-Shami` are `al-Saadi`, `al-Din`, `al-Shami`. Starting a word,
# before another letter and a word of four letters or more, it is still the article,
# mistyped or romanised apart (`as-Tikriti`, `at-Turaz`); `AS-TEK` and the Bulgarian legal
# form inside `NOVE-AD-HOLDING` stay words.
_SUN_ARTICLE = re.compile(r"\ba(sh|th|dh|[dnrstz])-(?=\1)"
                          r"|(?<![a-z0-9]-)\ba(?:sh|th|dh|[dnrstz])-(?=[a-z]{4})")
_NON_ALNUM = re.compile(r"[^a-z0-9,]+")
_APOSTROPHES = str.maketrans("", "", "'`\u2019\u2018\u02bc\u02bb\u00b4")
_HYPHENATED = re.compile(r"[^\s,]+[-\u2010\u2011\u2012\u2013][^\s,]+")  # a word with hyphens
_GLUED_ABD = re.compile(r"\babd[a-z]{5,}\b", re.IGNORECASE)  # `Abdulaziz`: `abd aziz`, one name
_PHRASES = {tuple(CANONICAL.get(w, w) for w in k): v for k, v in PHRASES.items()}
_PHRASE_STARTS = frozenset(p[0] for p in _PHRASES)
_PHRASE_LENGTHS = sorted({len(p) for p in _PHRASES}, reverse=True)


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name as tokens, with what the normaliser did to it (for explanations)."""

    original: str
    tokens: tuple[str, ...]
    changes: tuple[str, ...] = ()  # "INTL -> intl", "transliterated", ...
    capped: bool = False

    @property
    def text(self) -> str:
        """The normalised name as one string."""
        return " ".join(self.tokens)


def _is_syllabic(ch: str) -> bool:
    """True for CJK and Hangul characters, which anyascii writes as run-together syllables."""
    code = ord(ch)
    return 0x1100 <= code <= 0x11FF or 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF \
        or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF


def _hangul(ch: str) -> str:
    """A Hangul syllable as the lists romanise Korean (Kim Jong Un), not as Revised Romanisation.

    anyascii writes 김정은 as Gim Jeong Eun; the lists follow the North Korean and
    McCune-Reischauer habit without diacritics: Kim Jong Un, Pak, Choe.
    """
    roman = anyascii(ch).lower()
    if roman[:1] in _HANGUL_INITIALS:
        roman = _HANGUL_INITIALS[roman[0]] + roman[1:]
    return roman.replace("eo", "o").replace("eu", "u")


_HANGUL_INITIALS = {"g": "k", "d": "t", "b": "p", "l": "r"}


_CYRILLIC_WORD_START = re.compile(r"(?<![^\W\d_])([ЕеЁё])")
_CYRILLIC = str.maketrans({"Ё": "Yo", "ё": "yo", "Й": "Y", "й": "y"})
_CYRILLIC_DZH = re.compile(r"[Дд][Жж]")


def _cyrillic_as_listed(text: str) -> str:
    """Cyrillic spelt as the lists romanise it: `Елена` Yelena, `Ё` Yo, `Дж` J (not Dzh)."""
    text = _CYRILLIC_DZH.sub(lambda m: "J" if m.group(0)[0] == "Д" else "j", text)
    text = _CYRILLIC_WORD_START.sub(lambda m: "Y" + m.group(1).replace("Ё", "о").replace(
        "ё", "о").lower() if m.group(1).isupper() else "y" + m.group(1).replace("ё", "о"),
        text)
    return text.translate(_CYRILLIC)


def _to_ascii(text: str) -> str:
    """Transliterate any script to ASCII; CJK and Hangul syllables become separate words."""
    if any(0x0400 <= ord(ch) <= 0x04FF for ch in text):
        text = _cyrillic_as_listed(text)
    if any(_is_syllabic(ch) for ch in text):
        text = "".join(
            (f" {_hangul(ch)} " if 0xAC00 <= ord(ch) <= 0xD7AF else f" {ch} ")
            if _is_syllabic(ch) else ch for ch in text)
    return anyascii(text)


def _apart_if_legal_form(match: re.Match[str]) -> str:
    """`galapagoss.a` -> `galapagos s.a`: a legal form's letters run into the word before."""
    word, acronym = match.groups()
    return f"{word} {acronym}" if acronym.replace(".", "") in LEGAL_FORMS else match.group(0)


def _clean(text: str) -> str:
    """Drop control and format characters, which can hide inside payment fields."""
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


def _join_initials(words: list[str]) -> list[str]:
    """Runs of single letters are one acronym: `u m v` -> `umv` (as `U.M.V.` normalises)."""
    out: list[str] = []
    run = ""
    for word in words:
        if len(word) == 1 and word != ",":
            run += word
            continue
        if run:
            out.append(run)
            run = ""
        out.append(word)
    if run:
        out.append(run)
    return out


def _reorder(words: list[str]) -> list[str]:
    """`LAST, First` becomes `First LAST` unless the part after the comma starts with a legal
    form (`MINERA X, S.A.`, `GLOBAL TECHNOLOGY, S.A. (GTI)`)."""
    if words.count(",") != 1:
        return [w for w in words if w != ","]
    cut = words.index(",")
    head, tail = words[:cut], words[cut + 1:]
    if not head or not tail or len(tail) > 4 or tail[0] in LEGAL_FORMS:
        return head + tail
    return tail + head


def _replace_phrases(words: list[str], changes: list[str]) -> list[str]:
    """Replace multi-word legal forms (`joint stock co` -> `jsc`), longest first.

    A word one typo away from a phrase word counts as that word when the whole phrase then
    matches (`demmcratic peoples republic of korea` -> `dprk`), and so does each such word of
    a phrase; a short word (three to five letters: `orea`, `sde`) only when the name holds
    the first word of a phrase as written (or a long one mistyped). A comma between two
    words of a phrase is dropped (`aktsionernoe, obshchestvo`): it is punctuation, not the
    comma of `LAST, First`.
    """
    if "," in words:
        words = [w for i, w in enumerate(words) if w != "," or not (
            0 < i < len(words) - 1 and (words[i - 1], words[i + 1]) in _PHRASE_NEIGHBOURS)]
    fixed = [_phrase_word(w) if len(w) >= SPELLING_MIN_CHARS and w not in _PHRASE_WORDS
             and (w[:2] in _PHRASE_HEADS or w[-2:] in _PHRASE_TAILS) else None for w in words]
    if _PHRASE_STARTS.isdisjoint(words) and not any(fixed):
        return words
    if not _PHRASE_WORDS.isdisjoint(words):  # short words only beside a phrase word
        fixed = [f or (_short_phrase_word(w) if SHORT_PHRASE_WORD_MIN_CHARS <= len(w)
                       < SPELLING_MIN_CHARS and w not in _PHRASE_WORDS else None)
                 for f, w in zip(fixed, words, strict=True)]
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] in _PHRASE_STARTS or fixed[i] in _PHRASE_STARTS:
            for size in _PHRASE_LENGTHS:
                span = words[i:i + size]
                repl = _PHRASES.get(tuple(span))
                if repl is None and any(fixed[i:i + size]):
                    corrected = [f or w for w, f in zip(span, fixed[i:i + size], strict=True)]
                    repl = _PHRASES.get(tuple(corrected))
                    if repl is not None:
                        changes.extend(f"{w}->{c}" for w, c in zip(span, corrected, strict=True)
                                       if w != c)
                if repl is not None:
                    out.extend(repl)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        else:
            out.append(words[i])
            i += 1
    return out


@lru_cache(maxsize=65536)
def _phrase_word(word: str) -> str | None:
    """The phrase word (`democratic`, `aktsionernoe`) one edit away from `word`, if only one."""
    found = _one_edit_from(word, _PHRASE_SPELLING)
    return found.pop() if len(found) == 1 else None


@lru_cache(maxsize=65536)
def _short_phrase_word(word: str) -> str | None:
    """The short phrase word (`iran`, `korea`, `de`) one edit away from `word`, if only one."""
    found = _one_edit_from(word, _SHORT_PHRASE_SPELLING)
    return found.pop() if len(found) == 1 else None


def _spelling_index(forms: Iterable[str], min_chars: int | None = None
                    ) -> dict[str, list[str]]:
    """One-deletion keys of the long words among `forms` (SPELLING_MIN_CHARS letters or more,
    unless told), for correcting their misspellings."""
    least = SPELLING_MIN_CHARS if min_chars is None else min_chars
    index: dict[str, list[str]] = {}
    for form in forms:
        if len(form) >= least:
            for key in (form, *(form[:i] + form[i + 1:] for i in range(len(form)))):
                index.setdefault(key, []).append(form)
    return index


def _one_edit_from(word: str, index: dict[str, list[str]]) -> set[str]:
    """The words of a spelling index one edit away from `word`."""
    keys = (word, *(word[:i] + word[i + 1:] for i in range(len(word))))
    return {form for key in keys for form in index.get(key, ())
            if OSA.distance(word, form) == 1}


GLUED_REST_MIN_CHARS = 4  # `abdulkarim` splits, `abdullah` (Abd Allah) stays one word
# `abdullahsamad` splits after Abd Allah, before the shorter `abdul` could take it
_GLUED_SPLITS = (*((form, form) for form in ABD_ALLAH_FORMS), *GLUED_PREFIXES)
SPELLING_MIN_CHARS = 6  # vocabulary and phrase words this long are corrected one edit away
# (not into a person-name variant: `hasdan` may be `hamdan` as well as `hassan`)
_SPELLING = _spelling_index(f for f, canon in CANONICAL.items() if canon not in NAME_VARIANTS)
_ABD_ALLAH_SPELLING = _spelling_index(ABD_ALLAH_FORMS)
_PHRASE_WORDS = frozenset(w for phrase in _PHRASES for w in phrase)
# the phrase words as written (`company`) besides their canonical forms (`co`)
_PHRASE_SOURCE_WORDS = _PHRASE_WORDS | frozenset(w for phrase in PHRASES for w in phrase)
# neighbours within a phrase: a comma between them is not a surname comma
_PHRASE_NEIGHBOURS = frozenset((a, b) for phrase in _PHRASES
                               for a, b in zip(phrase, phrase[1:], strict=False))
# first words of the phrases that make a legal form (not `russian` of `russian federation`)
_LEGAL_PHRASE_STARTS = frozenset(phrase[0] for phrase, repl in _PHRASES.items()
                                 if LEGAL_FORMS.issuperset(repl))
GLUED_PHRASE_HEAD_MIN_CHARS = 7  # `companyblack` splits; `public`, `open` glued to a word stay
GLUED_PHRASE_REST_MIN_CHARS = 3
_PHRASE_SPELLING = _spelling_index(_PHRASE_WORDS)
SHORT_PHRASE_WORD_MIN_CHARS = 3  # `sde` for `de`; two-letter words are left as written
_SHORT_PHRASE_SPELLING = _spelling_index(
    (w for w in _PHRASE_WORDS if 1 < len(w) < SPELLING_MIN_CHARS), min_chars=2)
# one edit leaves a long word's first two letters or its last two as they were
_PHRASE_HEADS = frozenset(w[:2] for w in _PHRASE_WORDS if len(w) >= SPELLING_MIN_CHARS)
_PHRASE_TAILS = frozenset(w[-2:] for w in _PHRASE_WORDS if len(w) >= SPELLING_MIN_CHARS)


@lru_cache(maxsize=65536)
def _correct_spelling(word: str) -> str | None:
    """The vocabulary word (`company`, `limited`, ...) one edit away from `word`, if any."""
    canon = {CANONICAL[f] for f in _one_edit_from(word, _SPELLING)}
    return canon.pop() if len(canon) == 1 else None


def canonical_word(word: str) -> str | None:
    """The canonical word the word rules make of one word (`electronico` -> `elec`), if any:
    its canonical form, or the vocabulary word one edit away (six letters or more)."""
    canon = CANONICAL.get(word)
    if canon is None and len(word) >= SPELLING_MIN_CHARS:
        canon = _correct_spelling(word)
    return canon


def _between_words(words: list[str], position: int) -> bool:
    """True when a word stands between two other words (not at an edge or next to a comma)."""
    return 0 < position < len(words) - 1 and "," not in (words[position - 1],
                                                          words[position + 1])


def _insertions(word: str) -> set[str]:
    """Every string of `word` with one lower-case letter added."""
    return {word[:i] + c + word[i:] for i in range(len(word) + 1)
            for c in "abcdefghijklmnopqrstuvwxyz"}


# a glued prefix with a letter added (`avbdelkader`, `pabdulaziz`, `abdoulaziz`) that keeps
# `bd`; one letter changed is left alone: `abdur`, `abder`, `abdes` are spellings of their own
# (`abdurrahman` stays one word, so `IQBALABDURRAHMAN` still meets it as two run together)
_NEAR_GLUED_PREFIXES = {variant: short for prefix, short in reversed(GLUED_PREFIXES)
                        for variant in _insertions(prefix) if "bd" in variant}
_NEAR_PREFIX_CHARS = 1 + max(len(prefix) for prefix, _ in GLUED_PREFIXES)


def _glued_split(word: str) -> tuple[str, str] | None:
    """A glued `Abdulkarim` (or, a letter added, `Avbdulkarim`) as `abd` and the name after it.

    `Abd Allah` glued to a name splits after it; a typo inside `Abdullah` (`abdullabh`)
    leaves the word whole rather than splitting off a stray `labh`.
    """
    if word[:3] == "abd":
        for prefix, short in _GLUED_SPLITS:
            rest = word[len(prefix):]
            if word.startswith(prefix) and len(rest) >= GLUED_REST_MIN_CHARS:
                if short == "abd" and any(not word.startswith(form) for form in
                                          _one_edit_from(word, _ABD_ALLAH_SPELLING)):
                    return None
                return short, rest
        if any(word.startswith(prefix) for prefix, _ in _GLUED_SPLITS):
            return None  # spelt right, with too little after it (`abdullah`)
    near = _NEAR_GLUED_PREFIXES.get(word[:_NEAR_PREFIX_CHARS])
    if near is not None and len(word) - _NEAR_PREFIX_CHARS >= GLUED_REST_MIN_CHARS:
        return near, word[_NEAR_PREFIX_CHARS:]
    return None


GLUED_BEFORE_ABD_MIN_CHARS = 3  # `maherabdulaziz`: `maher` + `abdulaziz`


def _glued_before_abd(word: str) -> tuple[str, str] | None:
    """A name run into a glued `Abdul...` or `Abdullah` after it (`maherabdulaziz`,
    `muhammadabdullah`): the two apart, so that the word rules split the second in turn."""
    at = word.find("abd", GLUED_BEFORE_ABD_MIN_CHARS)
    if at < 0:
        return None
    rest = word[at:]
    if rest in ABD_ALLAH_FORMS or any(
            rest.startswith(prefix) and len(rest) - len(prefix) >= GLUED_REST_MIN_CHARS
            for prefix, _ in GLUED_PREFIXES):
        return word[:at], rest
    return None


@lru_cache(maxsize=65536)
def _glued_phrase_word(word: str) -> tuple[str, str] | None:
    """A phrase word run into the next word: two phrase words (`jointstock`,
    `deresponsabilidad`), or a long one and any word (`obshchestvoast`, `companyblack`); or a
    word run into the long first word of a phrase (`zanzibarsociedad`)."""
    if word in _PHRASE_SOURCE_WORDS:
        return None
    for cut in range(2, len(word) - 1):
        head, rest = word[:cut], word[cut:]
        if head in _PHRASE_SOURCE_WORDS and (
                rest in _PHRASE_SOURCE_WORDS
                or (cut >= GLUED_PHRASE_HEAD_MIN_CHARS
                    and len(rest) >= GLUED_PHRASE_REST_MIN_CHARS)):
            return head, rest
        if (rest in _LEGAL_PHRASE_STARTS and len(rest) >= GLUED_PHRASE_HEAD_MIN_CHARS
                and cut >= GLUED_PHRASE_REST_MIN_CHARS):
            return head, rest  # a word run into the phrase after it: `zanzibarsociedad`
    return None


def _canonical(words: list[str], changes: list[str]) -> list[str]:
    """Each word in its canonical form; glued `abdulrahman` splits into `abd rahman`."""
    out: list[str] = []
    for position, word in enumerate(words):
        canon = canonical_word(word) or word
        if len(word) == 1 and canon != word and not _between_words(words, position):
            canon = word  # a lone `Y` or `E` at an edge is an initial, not Spanish `and`
        if canon != word:
            changes.append(f"{word}->{canon}")
        elif len(word) > 7:
            split = _glued_split(word) or _glued_phrase_word(word) or _glued_before_abd(word)
            if split is not None:
                short, rest = split
                out.append(short)
                canon = CANONICAL.get(rest, rest)
                changes.append(f"{word}->{short} {canon}")
        out.append(canon)
    return out


def normalize_name(name: str) -> NormalizedName:
    """Normalise one name: ASCII, lower case, no punctuation, canonical words, given name first."""
    changes: list[str] = []
    capped = len(name) > MAX_NAME_CHARS
    text = name[:MAX_NAME_CHARS]
    if not text.isprintable():
        text = _clean(text)
    if not text.isascii():
        text = _to_ascii(text)
        changes.append("transliterated")
    text = text.lower().translate(_APOSTROPHES)
    if "-" in text:
        text = _SUN_ARTICLE.sub("al-", text)
    if "." in text:
        text = _GLUED_ACRONYM.sub(r"\1 \2", _ACRONYM_GLUED.sub(r"\1 \2", text))
        text = _GLUED_LEGAL_ACRONYM.sub(_apart_if_legal_form, text)
        text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _NON_ALNUM.sub(" ", text)
    if "," in text:
        text = text.replace(",", " , ")
    words = text.split()
    for _ in range(4):  # until stable, so that normalising twice changes nothing
        tokens = _token_pass(words, changes)
        if tokens == words:
            break
        words = tokens
    if len(tokens) > MAX_NAME_TOKENS:
        tokens, capped = tokens[:MAX_NAME_TOKENS], True
    return NormalizedName(name, tuple(tokens), tuple(changes), capped)


CUT_PHRASE_MIN_WORDS = 2  # `joint stoc` is `jsc` cut short; a lone `demo` is not `dprk`
CUT_WORD_MIN_CHARS = 2


def complete_cut_phrase(query: NormalizedName) -> NormalizedName:
    """A name cut by a field inside a multi-word form, with the form it was cut from.

    For names that may have been cut (the screener tells): when the last words are the first
    words of a phrase, the last one perhaps cut short (`PRIVATE JOINT STOC`, `SOCIEDAD DE
    RESPONSA`, `SOCIEDAD AN`), they become the phrase's form (`jsc`, `srl`, `sa`), as the
    listed name has it. At least two words of the phrase must be there.
    """
    tokens = query.tokens
    for size in range(min(len(tokens) - 1, _PHRASE_LENGTHS[0] - 1), CUT_PHRASE_MIN_WORDS - 1,
                      -1):
        tail = tokens[-size:]
        if tail[0] not in _PHRASE_STARTS or len(tail[-1]) < CUT_WORD_MIN_CHARS:
            continue
        for phrase, form in _PHRASES.items():
            if (len(phrase) > size and phrase[:size - 1] == tail[:-1]
                    and phrase[size - 1].startswith(tail[-1])):
                change = f"{' '.join(tail)}->{' '.join(form)} (cut)"
                return replace(query, tokens=(*tokens[:-size], *form),
                               changes=(*query.changes, change))
    return query


def compound_groups(name: str, tokens: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
    """Token positions that came from one hyphenated word of `name` (`Nasir-al-Din`), or from
    a glued `Abdulaziz` that the word rules split (`abd aziz`).

    `tokens` is `normalize_name(name).tokens`. A payment that leaves such a word out leaves
    out one name part, however many tokens it normalises to; the scorer counts it once.
    Words whose tokens do not stay together (a phrase or a legal form that spans words)
    give no group.
    """
    text = name[:MAX_NAME_CHARS]
    words = _HYPHENATED.findall(text)
    if "abd" in text.lower():
        words += _GLUED_ABD.findall(text)
    groups: list[tuple[int, ...]] = []
    used: set[int] = set()
    for word in words:
        part = normalize_name(word).tokens
        if len(part) < 2:
            continue
        for start in range(len(tokens) - len(part) + 1):
            span = tuple(range(start, start + len(part)))
            if tokens[start:start + len(part)] == part and used.isdisjoint(span):
                groups.append(span)
                used.update(span)
                break
    return tuple(groups)


def rejoin_split_words(name: str, vocabulary: Container[str]) -> tuple[str, tuple[str, ...]]:
    """`name` with each stray space inside a vocabulary word taken out, and what was joined.

    For a second look at a name that found nothing: the word rules take halves apart before
    the index sees them (`COMP LEX` is `co lex`, `NAT ALYA` is `natl alya`, `SIR JAN` loses
    its title), so `complex`, `natalya` or `sirjan` cannot meet the listed word. Only plain
    ASCII words are joined.
    """
    words = name.split()
    plain = [w.strip(",.;:()").lower() for w in words]
    out: list[str] = []
    joined: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words):
            first, second = plain[i], plain[i + 1]
            if (len(first) >= 2 and len(second) >= 2 and first.isalpha() and second.isalpha()
                    and first.isascii() and second.isascii()
                    and _known(first, second, vocabulary)):
                out.append(first + second + words[i + 1][len(words[i + 1].rstrip(",.;:")):])
                joined.append(f"{first} {second}->{first + second}")
                i += 2
                continue
        out.append(words[i])
        i += 1
    return " ".join(out), tuple(joined)


def _known(first: str, second: str, vocabulary: Container[str]) -> bool:
    """Two halves written together make a vocabulary word, or one the word rules make one.

    Misspelt joins (`cor poracion` -> `corporacion` -> `corp`) are looked for only when a
    half is not a word of its own.
    """
    word = first + second
    if word in vocabulary:
        return True
    canon = CANONICAL.get(word)
    if canon is None and len(word) >= SPELLING_MIN_CHARS and (
            first not in vocabulary or second not in vocabulary):
        canon = _correct_spelling(word)
    return canon is not None and canon in vocabulary


def _join_split_words(words: list[str], changes: list[str]) -> list[str]:
    """A vocabulary or phrase word split by a stray space is one word again: `comp any` ->
    `company`, `aktsio nernoe` -> `aktsionernoe`."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words) and min(len(words[i]), len(words[i + 1])) >= 2:
            joined = words[i] + words[i + 1]
            if len(joined) >= SPELLING_MIN_CHARS and (joined in CANONICAL
                                                      or joined in _PHRASE_SOURCE_WORDS):
                changes.append(f"{words[i]} {words[i + 1]}->{joined}")
                out.append(joined)
                i += 2
                continue
        out.append(words[i])
        i += 1
    return out


def _token_pass(words: list[str], changes: list[str]) -> list[str]:
    """One pass of the word rules: canonical forms, articles, initials, phrases, order, titles."""
    if len(words) > 1:
        words = _join_split_words(words, changes)
    words = _canonical(words, changes)
    if len(words) > 1 and not ARTICLES.isdisjoint(words):
        kept = [w for w in words if w not in ARTICLES]
        if any(w != "," for w in kept):
            changes.extend(f"article {w} dropped" for w in words if w in ARTICLES)
            words = kept
    words = _join_initials(words)
    if len(words) > 1:
        words = _replace_phrases(words, changes)
    if "," in words:
        words = _reorder(words)
    while len(words) > 1 and words[0] in HONORIFICS:
        changes.append(f"title {words[0]} dropped")
        words = words[1:]
    return words


_PHONETIC = str.maketrans("qczwy", "kksvi")
_DIGRAPHS = (("ph", "f"), ("ch", "j"), ("kh", "k"), ("gh", "g"), ("th", "t"), ("dh", "d"),
             ("ck", "k"), ("x", "ks"))  # and x as ks: Alexey/Aleksey, Maxim/Maksim
_VOWEL_RUNS = re.compile(r"[aeiouh]+")


@lru_cache(maxsize=65536)
def phonetic_key(token: str) -> str:
    """A spelling key for romanisation variants: Jong/Chong/Jeong, Muhammad/Mohammed, Sergey/i."""
    for pair, single in _DIGRAPHS:
        if pair in token:
            token = token.replace(pair, single)
    token = _VOWEL_RUNS.sub("*", token.translate(_PHONETIC))
    key: list[str] = []
    for ch in token:
        if not key or ch != key[-1]:
            key.append(ch)
    return "".join(key)
