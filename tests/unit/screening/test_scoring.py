"""Pair scoring: token alignment, weights, typos, run-together words, truncation."""

from __future__ import annotations

import pytest

from streams.screening.normalize import normalize_name
from streams.screening.scoring import align, token_similarity, token_weight
from streams.screening.screener import DEFAULT_THRESHOLD, score_pair


def score(a: str, b: str) -> float:
    return score_pair(a, b).score


def test_identical_and_reordered_names_score_100() -> None:
    assert score("Kim Jong Un", "KIM, Jong Un") == 100.0
    assert score("Un Jong Kim", "Kim Jong Un") == 100.0


def test_typo_scores_below_exact_but_above_threshold() -> None:
    typo = score("BZNCO NACIONAL DE CUBA", "BANCO NACIONAL DE CUBA")
    assert DEFAULT_THRESHOLD <= typo < 100.0


def test_two_neighbouring_letters_swapped_cost_half_an_edit() -> None:
    swapped, _ = token_similarity("asqa", "aqsa")
    substituted, _ = token_similarity("axsa", "aqsa")
    assert swapped == pytest.approx(1 - 0.9 * 0.5 / 4)
    assert substituted == pytest.approx(1 - 0.9 / 4)
    assert substituted < swapped
    assert token_similarity("li", "il")[0] >= 0.6 > token_similarity("ik", "il")[0]
    # only a lone swap: two of them (or a swap and more) are counted as edits, as before
    assert token_similarity("bacdfe", "abcdef")[0] == pytest.approx(1 - 0.9 * 2 / 6)
    assert score_pair("KIM KYONG LI", "KIM, Kyong Il").match
    assert score_pair("AL-ASQA", "AL-AQSA").match
    assert not score_pair("KIM KYONG IK", "KIM, Kyong Il").match


def test_an_article_written_onto_a_word_is_nearly_the_word() -> None:
    """The lists drop a separate `AL-` and keep one written on: the two forms meet at 0.95."""
    assert token_similarity("alitihaad", "itihaad") == (0.95, "article")
    assert token_similarity("bostani", "albostani") == (0.95, "article")
    assert token_similarity("ulrich", "rich")[1] != "article"  # a short word: spelling only
    joined = score_pair("ALITIHAAD ALISLAMIYA", "AL-ITIHAAD AL-ISLAMIYA")
    assert joined.score == 95.0
    assert "article joined alitihaad~itihaad" in joined.explanation


def test_unrelated_names_score_low() -> None:
    assert score("Stephanie Jackson", "KIM, Jong Un") < 30
    assert not score_pair("John Smith", "Korea Kwangson Banking Corp").match


def test_common_words_weigh_less_than_distinctive_ones() -> None:
    assert token_weight("co") < token_weight("trdg") < token_weight("hongxiang")
    # sharing only generic words is not a match
    assert score("Golden Star Trading Co Ltd", "Silver Star Trading Co Ltd") < DEFAULT_THRESHOLD


def test_missing_legal_form_costs_little() -> None:
    assert score("Dandong Hongxiang Industrial Development",
                 "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO., LTD.") > 90
    # a legal form shared by two sister companies does not make them one
    assert not score_pair("VABO MANAGEMENT EOOD", "VABO SYSTEMS EOOD").match
    assert score_pair("YAMAKI, Y.K.", "YAMAKI, K.K.").match  # one form for another costs little


def test_run_together_and_split_words() -> None:
    joined = score_pair("DANDONGHONGXIANG INDUSTRIAL DEVELOPMENT CO", "Dandong Hongxiang "
                        "Industrial Development Co")
    assert joined.score > 90 and "run together" in joined.explanation
    assert score("Kim Jongun", "Kim Jong Un") > 90


@pytest.mark.parametrize(("query", "listed", "said"), [
    # two listed words the query writes as one, with a typo in it
    ("KHEDRI, APDOLHOSSEIN", "KHEDRI, Abdolhossein", "run together, one slip"),  # via `abdol`
    ("ABDOLAHI, HAMED", "ABDOLLAHI, Hamed", "run together, one slip"),  # a letter left out
    ("MZOUDI, ABDSLGHANI", "MZOUDI, Abdelghani", "run together, one slip"),
    # a short word one edit from a listed legal form
    ("CRETA E.A.", "CRETA S.A.", "legal form mistyped"),  # a letter wrong
    ("TARRITOS .A.", "TARRITOS S.A.", "legal form mistyped"),  # a letter left out
    ("FIRST OCEAN GMBH & CM KG", "FIRST OCEAN GMBH & CO KG", "legal form mistyped"),
])
def test_slips_inside_run_together_words_and_legal_forms(query: str, listed: str,
                                                         said: str) -> None:
    result = score_pair(query, listed)
    assert result.match, result.explanation
    assert said in result.explanation
    assert result.score < score_pair(listed, listed).score


def test_a_slipped_join_needs_a_long_word_and_one_slip() -> None:
    # too short to tell from chance: `abdlah` is not taken for `abd lahi` with a slip
    assert "one slip" not in score_pair("ABDLAX HAMED", "ABDOLLAHI, Hamed").explanation
    # two slips in nine letters are not a run-together word
    assert not score_pair("APDOLHOSEYN KHEDRI", "KHEDRI, Abdol Hossein").match

def test_a_cut_company_name_meets_the_listed_name_written_with_a_comma() -> None:
    """The listed `..., S.A. (GTI)` is not `LAST, First`: what follows the cut is its tail."""
    cut = score_pair("GLOBAL TECHNOLOGY IMPORT & EXPORT,", "GLOBAL TECHNOLOGY IMPORT & EXPORT, "
                     "S.A. (GTI)")
    assert cut.match and "cut at field end: sa, gti" in cut.explanation


def test_a_name_cut_inside_its_legal_form_meets_the_listed_form() -> None:
    cut = score_pair("RAWAFED DAMASCUS PRIVATE JOINT STOC",
                     "RAWAFED DAMASCUS PRIVATE JOINT STOCK COMPANY")
    assert cut.match and "joint stoc->jsc (cut)" in cut.explanation
    # a listed name cut the same way meets the whole name too
    assert score_pair("NATIONAL IRANIAN COPPER INDUSTRIES PUBLIC JOINT STOCK COMPANY",
                      "NATIONAL IRANIAN COPPER INDUSTRIES PUBLIC JOINT STOCK").score == 100.0


def test_truncated_field_keeps_the_match() -> None:
    listed = "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO., LTD."
    cut = listed[:35]
    result = score_pair(cut, listed)
    assert result.match and "cut" in result.explanation
    # a short query missing the same words is not treated as cut off
    assert score("Dandong Hongxiang", listed) < result.score


def test_token_similarity_kinds() -> None:
    assert token_similarity("kim", "kim") == (1.0, "exact")
    assert token_similarity("jong", "chong")[1] in {"variant", "typo"}
    assert token_similarity("comtercial", "coml")[0] >= 0.9  # through the long form
    assert token_similarity("zz", "kim") == (0.0, "")


def test_align_reports_missing_and_extra_tokens() -> None:
    query = normalize_name("Gleb Vasilchenko Moscow").tokens
    listed = normalize_name("VASILCHENKO, Gleb Igorevich").tokens
    alignment = align(query, listed)
    assert [listed[j] for j in alignment.missing] == ["igorevich"]
    assert [query[i] for i in alignment.extra] == ["moscow"]
    assert 0 < alignment.score < 100


@pytest.mark.parametrize(("a", "b"), [("", "Kim"), ("...", "Kim"), ("Kim", "")])
def test_empty_names_do_not_match(a: str, b: str) -> None:
    result = score_pair(a, b)
    assert result.score == 0.0 and not result.match and "empty" in result.explanation


def test_a_word_split_by_a_space_meets_its_canonical_form() -> None:
    split = score_pair("ROSNEFT TRA DING S.A.", "ROSNEFT TRADING S.A.")
    assert split.match and "tra ding->trading" in split.explanation
    assert score_pair("MOUSA MOH AMMED ABU MARZOOK", "ABU MARZOOK, Mousa Mohammed").match
    assert not score_pair("ROSNEFT TRA DING S.A.", "ROSNEFT S.A.").score > split.score


def test_first_name_as_initial() -> None:
    assert score_pair("Y. MIZULINA", "MIZULINA, Yelena").match
    assert not score_pair("Q. MIZULINA", "MIZULINA, Yelena").match


def test_a_hyphenated_word_left_out_counts_as_one_name_part() -> None:
    listed = "SALIM, Muhammad Ayman Nasir-al-Din"
    dropped = score_pair("Muhammad Ayman Salim", listed)
    # as if the listed name had one word there, not two
    assert dropped.score == score_pair("Muhammad Ayman Salim", "SALIM, Muhammad Ayman Nasir").score
    assert dropped.match
    assert "missing: nasir-din" in dropped.explanation
    # two separate words left out still cost two words
    assert not score_pair("Muhammad Ayman Salim", "SALIM, Muhammad Ayman Nasir Din").match
    # half of the word left out costs that half, as before
    half = score_pair("Muhammad Ayman Nasir Salim", listed)
    tokens = normalize_name(listed).tokens
    assert half.score == align(normalize_name("Muhammad Ayman Nasir Salim").tokens, tokens).score
    assert "missing: din" in half.explanation


@pytest.mark.parametrize(("query", "listed", "single"), [
    ("S KIM", "KIM, Sang-ho", "KIM, Sang"),
    ("H. YUN", "YUN, Ho-Jin", "YUN, Hojin"),  # weighs as its heaviest token, not its first
    ("Q MOHSENI-EJEI", "MOHSENI-EJEI, Qolam-Hossein", "MOHSENI-EJEI, Qolam"),
])
def test_an_initial_stands_for_a_whole_hyphenated_given_name(query: str, listed: str,
                                                              single: str) -> None:
    """`S` for `Sang-ho` scores as `S` for a one-word given name: the rest is not missing."""
    hyphenated = score_pair(query, listed)
    assert hyphenated.match
    assert hyphenated.score == score_pair(query, single).score
    assert "missing" not in hyphenated.explanation
    assert "initial" in hyphenated.explanation
    # a given name of two separate words still lacks the second one
    assert score_pair(query, listed.replace("-", " ")).score < hyphenated.score
    # an initial of the second part of the hyphenated word stands for that part only
    second = normalize_name(listed).tokens[-1][0].upper()
    assert score_pair(f"{second} {query.split()[-1]}", listed).score < hyphenated.score


def test_a_glued_abd_name_left_out_counts_as_one_name_part() -> None:
    left_out = score_pair("Maher M. Mutreb", "MUTREB, Maher Abdulaziz M.")
    assert left_out.match
    assert "missing: abd-aziz" in left_out.explanation


def test_the_whole_name_still_scores_100_with_hyphenated_words() -> None:
    assert score_pair("Muhammad Ayman Nasir-al-Din Salim",
                      "SALIM, Muhammad Ayman Nasir-al-Din").score == 100.0


def test_only_a_short_word_one_edit_from_a_legal_form_is_a_mistyped_one() -> None:
    assert "legal form" not in score_pair("CRETA EAX", "CRETA S.A.").explanation
    assert "legal form" not in score_pair("CRETA XY", "CRETA S.A.").explanation
    # a legal form of the query's own is not taken for another one
    assert "legal form" not in score_pair("CRETA AG", "CRETA S.A.").explanation
