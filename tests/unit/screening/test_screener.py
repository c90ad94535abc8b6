"""The Screener: hits per entry, filters, cache, identifiers and bad input."""

from __future__ import annotations

import pytest
from sample_entities import PERSON, entity, list_set

from streams.screening.entities import EntityType
from streams.screening.screener import DEFAULT_THRESHOLD, Screener, name_problem


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(list_set())


def test_hit_carries_entry_alias_programs_score_and_explanation(screener: Screener) -> None:
    hits = screener.screen_name("North Korea's Foreign Trade Bank")
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.list_id, hit.entry_id, hit.entity_type) == ("test_sdn", "3",
                                                            EntityType.ORGANIZATION)
    assert hit.entry_name.startswith("FOREIGN TRADE BANK OF THE DEMOCRATIC")
    assert hit.programs == ("DPRK3",)
    assert hit.score == 100.0
    assert "matched" in hit.explanation and "foreign" in hit.explanation


def test_payment_clerk_spellings_find_the_entry(screener: Screener) -> None:
    for query in ("Dandong Hongxiang Ind Dev Co", "DANDONG HONGXIANG INDUSTRIAL DEVEL",
                  "Ch'oe Ryong Hae", "Choi Ryong-hae", "Kim Jongun", "KOREA KWANGSON BKG CORP",
                  "Владимир Путин", "Mohammed Abdul Rahman"):
        assert screener.screen_name(query), query


def test_one_hit_per_entry_best_first() -> None:
    lists = list_set([
        entity("1", "ACME HOLDING GROUP", EntityType.ORGANIZATION, "ACME HOLDING"),
        entity("2", "ACME HOLDINGS GROUP LTD"),
    ])
    hits = Screener(lists).screen_name("Acme Holding Group", min_score=50)
    assert [h.entry_id for h in hits] == ["1", "2"]
    assert hits[0].score >= hits[1].score


def test_filters_by_type_and_list(screener: Screener) -> None:
    assert screener.screen_name("Kim Jong Un", EntityType.ORGANIZATION) == []
    assert screener.screen_name("Kim Jong Un", EntityType.PERSON)
    assert screener.screen_name("Muhammad Abd al-Rahman", list_ids={"test_sdn"}) == []
    assert screener.screen_name("Muhammad Abd al-Rahman", list_ids={"test_un"})


def test_a_company_name_does_not_hit_a_person() -> None:
    lists = list_set([entity("1", "MARTIN, George", PERSON)])
    screener = Screener(lists)
    assert screener.screen_name("George Martin")
    assert screener.screen_name("George Martin Ltd") == []
    assert screener.screen_name("AG George Martin") == []  # first or last, it is a company


def test_legal_form_letters_inside_a_person_name_do_not_make_it_a_company() -> None:
    """`AG`, `AB`, `SL` between the words of a name are a mistyped article, not a legal form."""
    screener = Screener(list_set([entity("1", "Abd Al-Rahman SALIM IBRAHIM AL-MILAD", PERSON),
                                  entity("2", "AL-ATASI, Yumna Marwan al-Sayyid", PERSON)]))
    assert [h.entry_id for h in screener.screen_name("ABD AG-RAHMAN SALIM IBRAHIM AL-MILAD")] \
        == ["1"]
    assert [h.entry_id for h in screener.screen_name("AL-ATASI, YUMNA MARWAN AB-SAYYID")] \
        == ["2"]
    assert screener.screen_name("Yumna Marwan Sayyid Atasi SL") == []  # last: a company


def test_repeated_names_come_from_the_cache(screener: Screener) -> None:
    first = screener.screen_name("Korea Kwangson Banking Corp")
    hits_before = screener.cache_hits
    again = screener.screen_name("KOREA KWANGSON BANKING CORP.")
    assert again == first
    assert screener.cache_hits == hits_before + 1


def test_screen_names_keeps_order(screener: Screener) -> None:
    results = screener.screen_names(["John Smith", "Kim Jong Un", ""])
    assert [bool(r) for r in results] == [False, True, False]


def test_identifiers(screener: Screener) -> None:
    bic = screener.match_identifier("bic", "FTBDKPPYXXX")
    assert [h.entry_id for h in bic] == ["3"]
    assert "8-character head" in bic[0].explanation
    assert [h.entry_id for h in screener.match_identifier("BIC", "kkbc kp py")] == ["2"]
    assert [h.entry_id for h in screener.match_identifier("imo", "IMO 8898740")] == ["11"]
    assert screener.match_identifier("bic", "NOTABIC") == []
    assert screener.match_identifier("imo", "123") == []


@pytest.mark.parametrize("name", ["", "   ", "x", "-", "\x00\x01", "\u200b"])
def test_unusable_names_give_no_hits_and_say_why(screener: Screener, name: str) -> None:
    assert screener.screen_name(name) == []
    assert name_problem(name)


def test_long_mixed_and_control_input_does_not_crash(screener: Screener) -> None:
    assert screener.screen_name("KIM JONG UN " * 5000) is not None
    assert screener.screen_name("Kim\x00 Jong\tUn\u202e")
    assert screener.screen_name("Ким Jong 은 Un مرحبا") is not None
    assert screener.screen_name(None) == []
    assert name_problem("Kim Jong Un") is None


def test_threshold_is_the_default_floor() -> None:
    screener = Screener(list_set(), threshold=99.0)
    assert screener.screen_name("Dandong Hongxiang Ind Dev Co") == []
    assert screener.screen_name("Dandong Hongxiang Ind Dev Co", min_score=DEFAULT_THRESHOLD)


def test_typos_two_edits_away_and_run_together_names_are_found() -> None:
    screener = Screener(list_set([
        entity("20", "TARZALI, Ali", PERSON), entity("21", "ALI, Ahmed", PERSON),
        entity("22", "DANDONG TIANFU TRADE CO., LTD."), entity("23", "DANDONG TRADE CO"),
        entity("24", "TIANJIN TRADE CO")]))
    for query, entry in (("ALITARZALI", "20"), ("ALI TAZDLI", "20"),
                         ("DANDN TIANFU TRADE CO., LTD.", "22")):
        assert [h.entry_id for h in screener.screen_name(query)][:1] == [entry], query


def test_slips_the_scorer_forgives_are_found_by_the_search() -> None:
    """The index reaches what align() pairs: a mistyped legal form, a slipped run-together."""
    screener = Screener(list_set([
        entity("30", "CRETA S.A."), entity("31", "CRETA CARGO LTD"),
        entity("32", "KHEDRI, Abdolhossein", PERSON), entity("33", "KHEDRI, Hamid", PERSON),
        entity("34", "STEP A.S."), entity("35", "AM TRADING")]))
    for query, entry in (("CRETA E.A.", "30"), ("TARRITOS .A. CRETA", None),
                         ("KHEDRI, APDOLHOSSEIN", "32"),
                         ("STEP A.M.", "34")):  # `am` is a listed word of its own too
        found = [h.entry_id for h in screener.screen_name(query)]
        assert found[:1] == ([entry] if entry else []), (query, found)


@pytest.mark.parametrize(("query", "entry"), [
    ("YALBAGHA COMP LEX", "c1"),  # `comp` alone would be `co` (company)
    ("NAT ALYA IVANOVNA KHORSHEVA", "c2"),  # `nat` alone would be `natl` (national)
    ("SIR JAN IRANIAN STEEL", "c3"),  # `sir` alone is a title, dropped
    ("LIZZY MUNDO INTER IOR", "c4"),  # `inter` alone would be `intl`
])
def test_a_stray_space_inside_a_listed_word_is_taken_out_for_a_second_look(
        query: str, entry: str) -> None:
    screener = Screener(list_set([
        entity("c1", "YALBAGHA COMPLEX"),
        entity("c2", "KHORSHEVA, Natalya Ivanovna", PERSON),
        entity("c3", "SIRJAN IRANIAN STEEL"),
        entity("c4", "LIZZY MUNDO INTERIOR"),
    ]))
    hits = screener.screen_name(query)
    assert [h.entry_id for h in hits] == [entry]
    assert "->" in hits[0].explanation  # says what was joined


def test_the_second_look_is_only_for_names_that_found_nothing() -> None:
    screener = Screener(list_set([entity("c1", "YALBAGHA COMPLEX"),
                                  entity("c5", "COMP LEX TRADING")]))
    # found as written: the halves are not joined into another listed word
    assert [h.entry_id for h in screener.screen_name("COMP LEX TRADING")] == ["c5"]
    assert screener.screen_name("Acme Comp Lex Zeta") == []  # joined, still no name reaches 82
