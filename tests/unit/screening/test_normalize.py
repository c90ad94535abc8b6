"""Name normalisation: scripts, punctuation, legal forms, abbreviations, order, romanisation."""

from __future__ import annotations

import pytest

from streams.screening.normalize import (
    MAX_NAME_CHARS,
    MAX_NAME_TOKENS,
    complete_cut_phrase,
    compound_groups,
    normalize_name,
    phonetic_key,
    rejoin_split_words,
)


def tokens(name: str) -> tuple[str, ...]:
    return normalize_name(name).tokens


@pytest.mark.parametrize("variant", [
    "Dandong Hongxiang Industrial Development Co., Ltd.",
    "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT COMPANY LIMITED",
    "Dandong Hongxiang Ind. Dev. Co Ltd",
    "dandong hongxiang ind dev co. ltd",
])
def test_legal_forms_and_abbreviations_meet_in_one_form(variant: str) -> None:
    assert tokens(variant) == ("dandong", "hongxiang", "ind", "dev", "co", "ltd")


@pytest.mark.parametrize(("a", "b"), [
    ("Acme Intl Trdg Corp", "ACME INTERNATIONAL TRADING CORPORATION"),
    ("Minera Esperanza, S.A.", "MINERA ESPERANZA SOCIEDAD ANONIMA"),
    ("OOO Grand Servis", "Obshchestvo s Ogranichennoy Otvetstvennostyu Grand Servis"),
    ("Aman Damascus JSC", "AMAN DAMASCUS JOINT STOCK COMPANY"),
    ("Foreign Trade Bank of the DPRK",
     "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"),
])
def test_equivalent_company_names(a: str, b: str) -> None:
    assert tokens(a) == tokens(b)


def test_person_name_order_and_titles() -> None:
    assert tokens("KIM, Jong Un") == ("jong", "un", "kim")
    assert tokens("Mr. Jong Un Kim") == ("jong", "un", "kim")
    # a comma before a legal form is not a surname comma
    assert tokens("MINERA X, S.A.") == ("minera", "x", "sa")
    assert tokens("GLOBAL TECH, S.A. (GTI)") == ("global", "tech", "sa", "gti")  # starts with one
    # Japanese, Bulgarian, Indonesian, Gulf forms among them
    assert tokens("YAMAKI, K.K.") == ("yamaki", "kk")
    assert tokens("VABO SYSTEMS, EOOD") == ("vabo", "systems", "eood")


@pytest.mark.parametrize(("a", "b"), [
    ("Ch'oe Ryong-hae", "CHOE RYONG HAE"),
    ("Choi Ryong Hae", "Choe Ryong Hae"),
    ("Mohammed Ahmed", "MUHAMMAD AHMAD"),
    ("Abd al-Rahman", "Abdul Rahman"),
    ("Abdulrahman", "Abd Rahman"),
    ("Ahmad al-Tikriti", "AHMAD TIKRITI"),
])
def test_romanisation_variants(a: str, b: str) -> None:
    assert tokens(a) == tokens(b)


def test_scripts_are_transliterated() -> None:
    cyrillic = normalize_name("Владимир Путин")
    assert cyrillic.tokens == ("vladimir", "putin")
    assert "transliterated" in cyrillic.changes
    assert tokens("김정은") == ("kim", "jong", "un")  # as the lists romanise Korean
    assert tokens("丹东鸿祥实业发展有限公司")[-4:] == ("ind", "dev", "co", "ltd")


def test_initials_and_acronyms_agree() -> None:
    assert tokens("T.E.G. LIMITED") == tokens("t e g limited") == ("teg", "ltd")
    assert tokens("INMOBILIARIA U.M.V., S.A.") == ("inmobiliaria", "umv", "sa")


@pytest.mark.parametrize("glued", [
    "CIMIENTOS LA TORRE S.A.DE C.V.", "CIMIENTOS LA TORRE S.A. DEC.V.",
    "CIMIENTOS LA TORRES.A. DE C.V.", "CIMIENTOS LA TORRES.A DE C.V",  # no last dot
])
def test_an_acronym_run_into_a_word_is_read_apart(glued: str) -> None:
    assert tokens(glued) == tokens("CIMIENTOS LA TORRE S.A. DE C.V.")


def test_letters_after_a_dot_stay_with_the_word_unless_they_spell_a_legal_form() -> None:
    assert tokens("JOHN.A SMITH") == ("john", "a", "smith")


def test_misspelt_vocabulary_words_are_corrected() -> None:
    assert tokens("Aman Damascus Joint Stock Compqny") == tokens("AMAN DAMASCUS JSC")
    assert tokens("Teg Limtied") == ("teg", "ltd")


def test_bad_input_gives_clear_results() -> None:
    assert tokens("") == ()
    assert tokens("  ,.-- ") == ()
    assert tokens("A\x00B\u200bC\x07") == ("abc",)
    long = normalize_name("x" * 10_000)
    assert long.capped and len(long.text) == MAX_NAME_CHARS
    wordy = normalize_name("ab cd " * 50)
    assert wordy.capped and len(wordy.tokens) == MAX_NAME_TOKENS


@pytest.mark.parametrize("name", [
    "KIM, Jong Un", "e t", "a , b", "a l b", "joint al stock co", "Mr. Dr. Smith",
    "Abdulalrahman", "s a de c v",
])
def test_normalising_twice_changes_nothing(name: str) -> None:
    once = normalize_name(name)
    assert normalize_name(once.text).tokens == once.tokens


def test_phonetic_key_groups_romanisations() -> None:
    assert phonetic_key("jong") == phonetic_key("chong") == phonetic_key("jeong")
    assert phonetic_key("sergey") == phonetic_key("sergei")
    assert phonetic_key("muhammad") == phonetic_key("mohammed")
    assert phonetic_key("dohn") != phonetic_key("dounia")


def test_cyrillic_is_romanised_as_the_lists_do() -> None:
    assert tokens("Елена Мизулина") == ("yelena", "mizulina")  # word-initial Е is Ye
    assert tokens("Ёнг Су Джонг") == ("yong", "su", "jong")  # Ё Yo, Дж J (not Dzh)
    assert tokens("Алексей Миллер") == ("aleksey", "miller")


def test_a_lone_y_at_an_edge_is_an_initial_not_spanish_and() -> None:
    assert tokens("Y. ACOSTA URUETA") == ("y", "acosta", "urueta")
    assert tokens("ACOSTA URUETA, Y.") == ("y", "acosta", "urueta")
    assert tokens("Juan y Pedro S.A.") == ("juan", "and", "pedro", "sa")


@pytest.mark.parametrize(("glued", "apart"), [
    ("MAHERABDULAZIZ M. MUTREB", "MAHER ABDULAZIZ M. MUTREB"),
    ("DIEMANABDULKADIR IZZAT", "DIEMAN ABDULKADIR IZZAT"),
    ("MUHAMMADABDULLAH", "MUHAMMAD ABDULLAH"),
])
def test_a_name_run_into_a_glued_abdul_after_it_is_read_apart(glued: str, apart: str) -> None:
    assert tokens(glued) == tokens(apart)


@pytest.mark.parametrize("word", ["ZABDIEL", "KABDULOV", "ABABDUL"])
def test_abd_inside_a_word_needs_a_name_before_and_after_it(word: str) -> None:
    assert tokens(word) == (word.lower(),)


def test_glued_abdul_splits_only_before_a_name() -> None:
    assert tokens("Abdulkarim") == ("abd", "karim")
    assert tokens("Abdullah") == ("abdullah",)  # Abd Allah, not `abd lah`


@pytest.mark.parametrize(("typo", "written"), [
    ("AVBDELKADER LAAGOUB", "ABDELKADER LAAGOUB"),  # a letter added
    ("Pabdulaziz", "Abdulaziz"),
    ("Abdoulaziz", "Abdulaziz"),
])
def test_a_glued_abd_with_a_typo_still_splits(typo: str, written: str) -> None:
    assert tokens(typo) == tokens(written)


@pytest.mark.parametrize("word", ["Abelardo", "Absoluute", "Abdualah", "Abdullah", "Abdulla",
                                  "Abdurrahman"])
def test_words_near_a_glued_prefix_without_bd_or_a_name_after_it_stay_whole(word: str) -> None:
    assert tokens(word) == (word.lower(),)


def test_a_typo_inside_abdullah_leaves_it_whole() -> None:
    assert tokens("AMIR ABDULLABH") == ("amir", "abdullabh")  # not `abd labh`
    assert tokens("Abdullahi") == ("abd", "lahi")  # a name of its own, split as before


@pytest.mark.parametrize(("glued", "apart"), [
    ("ABDULLAHSAMAD FAROQUI", "FAROQUI, Abdullah Samad"),
    ("Abdallahazzam", "Abdallah Azzam"),
    ("ABDOLLAHARAGHI", "ARAGHI, Abdollah"),
])
def test_abd_allah_glued_to_the_next_name_splits_after_it(glued: str, apart: str) -> None:
    assert sorted(tokens(glued)) == sorted(tokens(apart))
    assert tokens(glued)[0] != "abd"


@pytest.mark.parametrize(("assimilated", "plain"), [
    ("AS-SA'ADI, Mansur", "AL-SA'ADI, Mansur"), ("Nur ad-Din", "Nur al-Din"),
    ("ASH-SHAMI", "AL-SHAMI"), ("Az-Zawahiri", "al-Zawahiri"), ("AT-TIKRITI", "AL-TIKRITI"),
    # before another letter: mistyped, or romanised apart
    ("AYMAN HASAN AS-TIKRITI", "AYMAN HASAN AL-TIKRITI"), ("AT-TURAZ", "AL-TURAZ"),
    ("Nur ad-Deen", "Nur al-Deen"), ("AD-DIN", "AL-DIN"),
])
def test_an_arabic_article_written_as_its_sun_letter_is_the_article(assimilated: str,
                                                                     plain: str) -> None:
    assert tokens(assimilated) == tokens(plain)


def test_a_word_like_a_sun_article_stays_before_a_short_word() -> None:
    assert tokens("AS-TEK LLC") == ("as", "tek", "llc")
    assert tokens("ad-hoc") == ("ad", "hoc")
    assert tokens("Ras-Tanura") == ("ras", "tanura")


def test_phonetic_key_reads_x_as_ks() -> None:
    assert phonetic_key("alexey") == phonetic_key("aleksey")
    assert phonetic_key("maxim") == phonetic_key("maksim")


def test_a_vocabulary_word_split_by_a_space_is_joined() -> None:
    assert tokens("BANIAS REFINERY COMP ANY") == ("banias", "refinery", "co")
    assert tokens("BANK SEPAH INTERNA TIONAL") == ("bk", "sepah", "intl")
    assert tokens("ING BANK") == ("ing", "bk")  # only when the whole is a vocabulary word


@pytest.mark.parametrize(("name", "groups"), [
    ("SALIM, Muhammad Ayman Nasir-al-Din", ((2, 3),)),  # article dropped, order given first
    ("AL-OMGY, Muhammad Salih Abd-Rabbuh", ((2, 3),)),
    ("KIM, Jong-un", ((0, 1),)),
    ("CH\u2019OE RYONG\u2010HAE", ((1, 2),)),  # a Unicode hyphen
    ("NOVE-AD-HOLDING LTD", ((0, 1, 2),)),
    ("AL-QAIDA", ()),  # one token once the article goes
    ("Joint-Stock Company Vostok", ()),  # the phrase takes the word: no group
    ("Dandong Hongxiang", ()),
    ("MUTREB, Maher Abdulaziz M.", ((1, 2),)),  # a glued Abd... the word rules split
    ("Abdullah Samad", ()),  # one token: nothing split
])
def test_compound_groups_are_the_tokens_of_one_hyphenated_word(
        name: str, groups: tuple[tuple[int, ...], ...]) -> None:
    assert compound_groups(name, tokens(name)) == groups


@pytest.mark.parametrize(("misspelt", "written"), [
    ("CENTRAL BANK OF THE DEMMCRATIC PEOPLE'S REPUBLIC OF KOREA",
     "CENTRAL BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"),
    ("AKTSIONERNHE OBSHCHESTVO PASIT", "AKTSIONERNOE OBSHCHESTVO PASIT"),
    ("AKTSIONERNOPE OBSHCHAESTVO AST", "AO AST"),  # each word of the phrase one typo off
    ("Acme Joint Stock Comapny", "Acme JSC"),
    # short phrase words too, in a name that holds a phrase word as written
    ("FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF OREA",
     "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"),
    ("HIGH NUTRITION SOCIEDAD SDE RESPONSABILIDAD LIMITADA", "HIGH NUTRITION SRL"),
])
def test_a_typo_in_a_phrase_word_still_makes_the_phrase(misspelt: str, written: str) -> None:
    assert tokens(misspelt) == tokens(written)
    assert any("->" in change for change in normalize_name(misspelt).changes)


@pytest.mark.parametrize(("written", "phrase"), [
    ("AKTSIONERNOE OBSH CHESTVO AST", "AO AST"),  # a phrase word split by a space
    ("OTKRYTOE AKTSIO NERNOE OBSHCHESTVO VNESH", "OAO VNESH"),
    ("AKTSIONERNOE OBSHCHESTVOAST", "AO AST"),  # a long phrase word run into the next word
    ("JOINT STOCK COMPANYSANATORIUM", "JSC SANATORIUM"),
    ("PRIVATE JOINTSTOCK COMPANY MAKO", "PRIVATE JSC MAKO"),  # two phrase words run together
    ("HIGH NUTRITION SOCIEDAD DERESPONSABILIDAD LIMITADA", "HIGH NUTRITION SRL"),
    ("AKTSIONERNOE, OBSHCHESTVO. AST", "AO AST"),  # a comma inside the phrase
    ("INVERSIONES ZANZIBARSOCIEDAD ANONIMA", "INVERSIONES ZANZIBAR S.A."),  # run into it
])
def test_a_phrase_with_a_space_too_many_or_too_few_is_still_the_phrase(written: str,
                                                                       phrase: str) -> None:
    assert tokens(written) == tokens(phrase)


@pytest.mark.parametrize(("name", "expected"), [
    ("PUBLICATIONS LTD", ("publications", "ltd")),  # `public` glued to a word: too short
    ("OPENWATER CO", ("openwater", "co")),
    ("KIM, Jong Un", ("jong", "un", "kim")),  # a comma not inside a phrase still reorders
    ("STOCK, Joint", ("joint", "stock")),  # the phrase reads the other way
    ("BELORUSSIAN RAILWAY", ("belorussian", "railway")),  # `russian ...` is no legal form
])
def test_words_near_phrase_words_stay_as_written(name: str, expected: tuple[str, ...]) -> None:
    assert tokens(name) == expected


@pytest.mark.parametrize(("cut", "expected"), [
    ("RAWAFED DAMASCUS PRIVATE JOINT STOC", ("rawafed", "damascus", "private", "jsc")),
    ("HIGH NUTRITION SOCIEDAD DE RESPONSA", ("high", "nutrition", "srl")),
    ("NATIONAL IRANIAN COPPER PUBLIC JOINT STOCK", ("natl", "iranian", "copper", "pjsc")),
])
def test_a_name_cut_inside_a_phrase_gets_the_phrase(cut: str, expected: tuple[str, ...]) -> None:
    completed = complete_cut_phrase(normalize_name(cut))
    assert completed.tokens == expected
    assert completed.changes[-1].endswith("(cut)")


@pytest.mark.parametrize("name", [
    "MARITIME ADMINISTRATION OF THE DEMO",  # one word of a phrase is not enough
    "SOME VERY LONG TRADING NAME JOINT X",  # the last word does not start the next one
    "JOINT STOCK",  # nothing before it: a phrase of its own, not a cut name
])
def test_other_names_are_not_completed(name: str) -> None:
    assert complete_cut_phrase(normalize_name(name)).tokens == normalize_name(name).tokens


def test_a_phrase_word_alone_is_not_corrected() -> None:
    assert tokens("Demmcratic Party") == ("demmcratic", "party")
    assert tokens("Orea Sde Trading") == ("orea", "sde", "trdg")  # no phrase word beside them
    assert tokens("Rian Ltd")[0] == "rian"


@pytest.mark.parametrize(("name", "expected"), [
    ("Hasdan", ("hasdan",)),  # Hassan or Hamdan: left as written
    ("Ghassan", ("ghassan",)),  # another name, not a misspelt Hassan
    ("Hamadi", ("hamadi",)),  # not Ahmadi
    ("Hassan", ("hasan",)),  # the listed variants still meet in one form
    ("Mohammed", ("muhammad",)),
    ("Compnay", ("co",)),  # company words are still corrected
])
def test_names_are_not_corrected_into_name_variants(name: str, expected: tuple[str, ...]) -> None:
    assert tokens(name) == expected


def test_rejoin_split_words_joins_halves_of_a_vocabulary_word() -> None:
    vocabulary = {"complex", "natalya", "corp"}
    assert rejoin_split_words("YALBAGHA COMP LEX", vocabulary) == (
        "YALBAGHA complex", ("comp lex->complex",))
    assert rejoin_split_words("Nat Alya K", vocabulary) == ("natalya K", ("nat alya->natalya",))
    # a misspelt vocabulary word is one the word rules correct (`corporacion` -> `corp`)
    assert rejoin_split_words("COR PORACION X", vocabulary)[1] == ("cor poracion->corporacion",)
    assert rejoin_split_words("Bank of Korea", vocabulary) == ("Bank of Korea", ())
    assert rejoin_split_words("A1 23 X", {"a123"}) == ("A1 23 X", ())  # letters only
