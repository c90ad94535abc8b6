"""The name index: candidate search by exact tokens, typos, run-together and cut-off words."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import OSA
from sample_entities import ORG, PERSON, SAMPLE, entity

from streams.screening.index import (
    MAX_FUZZY_POSTINGS,
    WEAK_ALIAS_FACTOR,
    NameIndex,
    _reaching_subsets,
)
from streams.screening.normalize import normalize_name
from streams.screening.scoring import align, token_similarity
from streams.screening.words import SCAN_CUTOFF, WordLookup


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex(SAMPLE)


def found(index: NameIndex, name: str, min_score: float = 80.0,
          truncated: bool = False) -> dict[str, float]:
    """entry_id -> best score of the names the search returns."""
    out: dict[str, float] = {}
    for name_id, alignment in index.search(normalize_name(name).tokens, min_score,
                                           may_be_truncated=truncated):
        entry = index.entities[index.names[name_id].entity].entry_id
        out[entry] = max(out.get(entry, 0.0), alignment.score)
    return out


def test_every_name_and_alias_is_indexed(index: NameIndex) -> None:
    total = sum(len({normalize_name(n).tokens for n in e.all_names()}) for e in SAMPLE)
    assert len(index) == total


def test_exact_and_reordered_names(index: NameIndex) -> None:
    assert found(index, "Jong Un Kim") == {"4": 100.0}
    assert found(index, "National Bank of Cuba") == {"12": 100.0}


def test_typo_in_the_rarest_token_is_found(index: NameIndex) -> None:
    assert "1" in found(index, "Dandong Hongxiamg Industrial Development Co")
    assert "2" in found(index, "Korea Kwangsom Banking Corp")


def test_typo_in_a_canonical_word_is_found(index: NameIndex) -> None:
    assert "10" in found(index, "Ocean Maritime Managment Company Limited")


def test_run_together_words_are_found(index: NameIndex) -> None:
    assert "1" in found(index, "DANDONGHONGXIANG INDUSTRIAL DEVELOPMENT CO LTD")


def test_cut_off_last_word_is_found_when_the_field_may_be_truncated(index: NameIndex) -> None:
    query = "DANDONG HONGXIANG INDUSTRIAL DEVELO"
    assert "1" in found(index, query, truncated=True)


def test_common_words_alone_find_nothing(index: NameIndex) -> None:
    assert found(index, "Trading Company Limited") == {}
    assert found(index, "Bank of Korea") == {}


def test_weak_alias_scores_lower(index: NameIndex) -> None:
    assert found(index, "Abu Ahmad", min_score=75) == {"6": 100.0 * WEAK_ALIAS_FACTOR}


def test_min_score_filters(index: NameIndex) -> None:
    assert found(index, "Choe Ryong", min_score=95) == {}
    assert "5" in found(index, "Choe Ryong", min_score=60)


def test_empty_query_and_empty_index() -> None:
    assert NameIndex([]).search(("kim",), 50) == []
    assert NameIndex([entity("1", "KIM")]).search((), 50) == []


def test_word_lookup_expansions() -> None:
    words = WordLookup({"dandong", "hongxiang", "ind", "dev", "jong", "kim", "coml"})
    assert words.expand(("dandongg",), 0, False) == {"dandong"}  # one edit
    assert words.expand(("comercial",), 0, False) == {"coml"}  # through the long form
    assert {"dandong", "hongxiang"} <= words.expand(("dandonghongxiang",), 0, False)
    assert words.expand(("kim", "develo"), 1, True) == {"dev"}  # a cut-off long form
    assert words.expand(("kim", "qqqqqq"), 1, False) == set()
    assert words.expand(("zzzz",), 0, False) == set()


QUERIES = [
    "Dandong Hongxiamg Industrial Development Co", "Korea Kwangsom Banking Corp",
    "DANDONGHONGXIANG INDUSTRIAL DEVELOPMENT CO LTD", "Jong Un Kim", "Bank of Korea",
    "Ocean Maritime Managment Company Limited", "DANDONG HONGXIANG INDUSTRIAL DEVELO",
    "National Bank of Cuba", "Trading Company Limited",
]


def test_remembered_token_plans_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = {}
    for query in QUERIES:
        for truncated in (True, False):
            expected[query, truncated] = found(NameIndex(SAMPLE), query, truncated=truncated)
    assert any(expected.values())
    shared = NameIndex(SAMPLE)  # one index: later queries meet remembered tokens and pairs
    for _ in range(2):
        for (query, truncated), hits in expected.items():
            assert found(shared, query, truncated=truncated) == hits, (query, truncated)
    # tiny caches: evictions while searching change nothing either
    monkeypatch.setattr("streams.screening.token_plans.TOKEN_CACHE_SIZE", 1)
    monkeypatch.setattr("streams.screening.token_plans.HOLDER_CACHE_ELEMENTS", 3)
    monkeypatch.setattr("streams.screening.token_plans.COMMON_HOLDERS", 0)
    evicting = NameIndex(SAMPLE)
    for (query, truncated), hits in expected.items():
        assert found(evicting, query, truncated=truncated) == hits, (query, truncated)



def test_summing_by_name_and_by_word_give_the_same_results(
        monkeypatch: pytest.MonkeyPatch) -> None:
    queries = [*QUERIES, "Korean Peoples Army", "korean people s army", "Kim Jong Un"]
    monkeypatch.setattr("streams.screening.index.FEW_CANDIDATES", 1 << 30)
    by_name = {q: found(NameIndex(SAMPLE), q) for q in queries}
    monkeypatch.setattr("streams.screening.index.FEW_CANDIDATES", -1)
    by_word = {q: found(NameIndex(SAMPLE), q) for q in queries}
    assert any(by_name.values())
    assert by_name == by_word

def test_a_cut_off_last_token_is_remembered_apart() -> None:
    shared = NameIndex(SAMPLE)
    query = "DANDONG HONGXIANG INDUSTRIAL DEVELO"
    cut = found(shared, query, min_score=90.0, truncated=True)
    whole = found(shared, query, min_score=90.0, truncated=False)
    assert "1" in cut
    assert whole == found(NameIndex(SAMPLE), query, min_score=90.0, truncated=False)
    assert whole != cut


def test_a_recurring_unknown_token_gets_a_complete_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("streams.screening.index.FEW_SURVIVORS", 0)  # price every survivor
    monkeypatch.setattr("streams.screening.token_plans.COMPLETE_AFTER_PRICED", 1)
    fresh = {query: found(NameIndex(SAMPLE), query) for query in QUERIES}
    shared = NameIndex(SAMPLE)
    for _ in range(3):  # priced, then completed, then served from the complete plan
        for query in QUERIES:
            assert found(shared, query) == fresh[query], query
    completed = {token for (token, _), plan in shared.plans._token_plans.items()
                 if plan.complete}
    assert {"hongxiamg", "kwangsom"} <= completed
    # a listed word two substitutions away is among the complete plan's words
    assert "hongxiang" in shared.plans.plan("hongxiamg", False).expansions
    assert not shared.plans.may_complete("hongxiang")  # listed words need no scan


def test_similar_words_finds_what_one_edit_lookups_miss() -> None:
    words = WordLookup({"pyongyang", "kwangson", "kim", "coml"})
    assert words.expand_token("pxongyanq", False) == set()  # two substitutions
    assert words.similar_words("pxongyanq") == {"pyongyang"}
    assert words.similar_words("zzzzzz") == set()
    assert words.similar_words("komercial") == {"coml"}  # through the long form


@given(st.lists(st.text(alphabet="abc", min_size=2, max_size=14), min_size=1, max_size=30),
       st.text(alphabet="abc", min_size=2, max_size=14))
def test_a_scan_of_the_allowed_lengths_misses_no_word(vocabulary: list[str], token: str) -> None:
    words = WordLookup(set(vocabulary))
    everything = {words.forms[form] for form, _, _ in process.extract(
        token, words._scan_forms, scorer=OSA.normalized_similarity, score_cutoff=SCAN_CUTOFF,
        limit=None) if token_similarity(token, words.forms[form])[0] > 0.0}
    assert everything <= words.similar_words(token)

@pytest.mark.parametrize("token", ["komercial", "cumpany", "bnak", "limted", "dandomg", "k",
                                   "intrnational", "develpment", "korea", "ltd", "co"])
def test_pricing_finds_every_word_a_token_aligns_with(index: NameIndex, token: str) -> None:
    survivors = list(range(len(index.names)))
    [priced] = index._closest((token,), [0], survivors)
    expected: dict[int, float] = {}
    for name_id in survivors:  # every word of every name, scored one by one
        sims = [token_similarity(token, word)[0] for word in index.names[name_id].tokens]
        if max(sims) > 0.0:
            expected[name_id] = max(sims)
    assert priced == expected

def test_reaching_subsets_of_a_company_name() -> None:
    # three distinctive words and a legal form: any two words and the form, or all three
    assert set(_reaching_subsets((1.0, 1.0, 1.0, 0.15), 2.06)) == {
        (0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)}


@given(st.lists(st.sampled_from([0.0, 0.15, 0.3, 0.35, 0.5, 0.7, 1.0, 1.7]), min_size=1,
                max_size=6), st.floats(0.1, 6.0))
def test_reaching_subsets_are_the_smallest_that_reach(weights: list[float], need: float) -> None:
    found = _reaching_subsets(tuple(weights), need)
    positions = range(len(weights))
    for subset in found:
        assert sum(weights[i] for i in subset) >= need - 1e-6
        assert not any(set(other) < set(subset) for other in found)
    for size in range(1, len(weights) + 1):
        for subset in combinations(positions, size):
            if sum(weights[i] for i in subset) >= need:
                # a name holding these tokens is found through a subset of them
                assert any(set(smaller) <= set(subset) for smaller in found)


HYPHENATED = (
    entity("h1", "SALIM, Muhammad Ayman Nasir-al-Din", PERSON),
    entity("h2", "JAZBAH, Ibrahim Sa'd Zayn-al-'Abidin", PERSON),
    entity("h3", "AL-OMGY, Muhammad Salih Abd-Rabbuh", PERSON),
    entity("h4", "SALIM, Muhammad Nasir Din", PERSON),
    entity("h5", "NOVE-AD-HOLDING LTD", ORG),
    entity("h6", "KIM, Sang-ho", PERSON),
    entity("h7", "YUN, Ho-Jin", PERSON),
    entity("h8", "KIM, Sang Ho", PERSON),
)


@pytest.mark.parametrize("query", [
    "Muhammad Ayman Salim", "Ibrahim Sa'd Jazbah", "Muhammad Salih Al-Omgy", "Muhammad Salim",
    "Nasir Salim", "Ayman Nasir-al-Din", "Nove Ltd", "Muhammad Ayman Nasir Salim",
    "S Kim", "H. Yun", "J Yun", "S. H. Kim",
])
def test_search_finds_what_scoring_hyphenated_names_one_by_one_finds(query: str) -> None:
    """The score bounds allow for hyphenated words counted once: no passing name is pruned."""
    index = NameIndex(HYPHENATED + SAMPLE)
    tokens = normalize_name(query).tokens
    for min_score in (70.0, 82.0):  # lower, typos two edits from a known word are not sought
        expected = {}
        for name_id, name in enumerate(index.names):
            score = index._weighed(name_id, align(tokens, name.tokens,
                                                  listed_groups=name.groups)).score
            if score >= min_score:
                expected[name_id] = score
        got = {name_id: a.score for name_id, a in index.search(tokens, min_score)}
        # the search keeps an entry's best name; every entry brute force finds is there
        best: dict[int, float] = {}
        for name_id, score in expected.items():
            entity_pos = index.names[name_id].entity
            best[entity_pos] = max(best.get(entity_pos, 0.0), score)
        got_best: dict[int, float] = {}
        for name_id, score in got.items():
            entity_pos = index.names[name_id].entity
            got_best[entity_pos] = max(got_best.get(entity_pos, 0.0), score)
        assert got_best == best, (query, min_score)


def test_a_left_out_hyphenated_middle_name_is_found() -> None:
    index = NameIndex(HYPHENATED)
    assert found(index, "Muhammad Ayman Salim", 82.0) == {"h1": 85.7}
    assert found(index, "Ibrahim Sa'd Jazbah", 82.0) == {"h2": 85.7}


def test_an_initial_for_a_hyphenated_given_name_is_found() -> None:
    index = NameIndex(HYPHENATED)
    assert found(index, "S Kim", 82.0) == {"h6": 88.2}  # not h8: Sang Ho is two names
    assert found(index, "H. Yun", 82.0) == {"h7": 88.2}


def test_a_typo_is_not_corrected_into_another_known_name() -> None:
    """`Hasdan` is one edit from `Hamdan` (listed) and from `Hassan`: it must find Hamdan."""
    index = NameIndex((entity("t1", "AL-AZAWI, Hatem Hamdan", PERSON), *SAMPLE))
    assert "hasan" in index.postings  # the sample lists a Hasan: the word is known
    assert found(index, "Hatem Hasdan Al-Azawi", 82.0) == {"t1": 95.0}


def test_an_article_written_onto_the_word_is_found() -> None:
    """The lists drop a separate article (`AL-RAWI` is `rawi`) and keep one written onto the
    word (`ALBOSTANI`); a query may do either, and finds what align() scores. Both ways of
    writing are listed words (a3, a4): known query words are not assumed to be typos."""
    index = NameIndex((entity("a1", "AL-RAWI, Ayad Futayyih Khalifa", PERSON),
                       entity("a2", "ALBOSTANI, Meshal Saad", PERSON),
                       entity("a3", "ALRAWI TRADING", ORG), entity("a4", "BOSTANI, Reza", PERSON),
                       *SAMPLE))
    assert found(index, "AYAD FUTAYYIH KHALIFA ALRAWI", 82.0) == {"a1": 92.5}
    assert found(index, "Meshal Saad Al-Bostani", 82.0) == {"a2": 98.3}
    assert index.words.expand(("alrawi",), 0, False) >= {"rawi"}
    assert index.words.expand(("bostani",), 0, False) >= {"albostani"}


def _made_up_words(count: int) -> list[str]:
    syllables = ("ba", "ce", "di", "fo", "gu", "ka", "le", "mi")
    return ["".join(syllables[n // 64 % 8] + syllables[n // 8 % 8] + syllables[n % 8])
            for n in range(count)]


def test_a_name_run_together_from_common_words_is_found() -> None:
    """`HASANAHMAD`: each half is too common to bring its names in; names holding both are."""
    words = _made_up_words(2 * (MAX_FUZZY_POSTINGS + 1))
    common = [entity(f"c{i}", f"{word} {'HASAN' if i % 2 else 'AHMAD'}", PERSON)
              for i, word in enumerate(words)]
    index = NameIndex((entity("t1", "AHMAD, Hasan", PERSON), *common))
    assert min(len(index.postings["hasan"]), len(index.postings["ahmad"])) > MAX_FUZZY_POSTINGS
    assert found(index, "HASANAHMAD", 82.0) == {"t1": 95.0}


def test_an_entry_is_scored_by_its_best_alias() -> None:
    """`zabostani` may be `za` + `bostani` run together, so the alias with `bostani` gets the
    looser bound and is aligned first (93.3: a spelling pair); the alias that scores best
    (95.2) must still be aligned: only aliases whose bound cannot beat the score so far are
    skipped."""
    index = NameIndex((entity("b1", "BOSTANI, Meshal Saad", PERSON, "ZABOSTANI, Meshal Saad M."),
                       entity("b2", "ZA TRADING", ORG), *SAMPLE))
    assert "bostani" in index.words.expand(("zabostani",), 0, False)
    assert found(index, "Meshal Saad Zabostani", 82.0) == {"b1": 95.2}


def test_two_swapped_letters_of_a_two_letter_word_are_found() -> None:
    """`LI` for the listed `IL`: the index looks two-letter words up swapped, as align()
    pairs them; three-token Korean names with one short word wrong still alert."""
    index = NameIndex((entity("k1", "KIM, Kyong Il", PERSON), entity("k2", "LI, Chun", PERSON),
                       *SAMPLE))
    assert index.words.expand(("li",), 0, False) >= {"il"}
    assert found(index, "KIM KYONG LI", 82.0) == {"k1": 94.2}


def test_a_two_letter_word_one_letter_short_is_found() -> None:
    """`LD` for the listed `OLD`, `KM` for `KIM`: align() pairs them (0.7), so must the index."""
    index = NameIndex((entity("g1", "OLD GAMES EOOD", ORG), entity("g2", "KIM, Kwang-Il", PERSON),
                       *SAMPLE))
    assert index.words.expand(("ld",), 0, False) >= {"old"}
    assert found(index, "LD GAMES EOOD", 82.0) == {"g1": 87.2}  # EOOD, a legal form, weighs little
    assert found(index, "KM, KWANG-IL", 82.0) == {"g2": 90.0}


def test_a_run_together_word_is_cut_everywhere_its_halves_are_words() -> None:
    """`songil` is `son`+`gil` and `song`+`il`; `circuitoelectronico` is `circuito` and a
    misspelt long form of `elec` (`electronico`, which the word rules read as `elec`)."""
    index = NameIndex((entity("k1", "CHOE, Song Il", PERSON), entity("k2", "SON, Gil Ho", PERSON),
                       entity("k3", "LI, Yi", PERSON),
                       entity("c1", "CIRCUITO ELECTRONICO S.A. DE C.V.", ORG), *SAMPLE))
    assert index.words.halves("songil") == [("son", "gil"), ("song", "il")]
    assert index.words.halves("circuitoelectronico") == [("circuito", "elec")]
    assert set(found(index, "SONGIL CHOE", 82.0)) == {"k1"}
    assert "k3" in found(index, "YILI", 82.0)  # four letters are enough: `yi`+`li`
    assert set(found(index, "CIRCUITOELECTRONICO S.A. DE C.V.", 82.0)) == {"c1"}


def test_a_short_word_keeps_all_its_typo_neighbours() -> None:
    """`ala` is one edit from dozens of listed words: a neighbour left out is a name the
    index does not reach although align() pairs it (`KAMALI, ALA` for `KAMALI, Ali` was
    found or not by the process's hash seed, which ordered the ties of a 40-word cap)."""
    letters = "bcdefghijklmnopqrstuvwxyz"
    vocabulary = {f"al{c}" for c in letters} | {f"a{c}a" for c in letters} | {"kamali"}
    words = WordLookup(vocabulary)
    neighbours = words.expand_token("ala", False)
    assert len(neighbours) > 40
    assert {"ali", "ama", "alz"} <= neighbours
