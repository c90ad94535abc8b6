"""Operators one by one: text, countries, amounts, sets, macros, combinators, the allow-list."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.rules.text import PhraseMatcher, normalize_text
from streams.rules.window import InMemoryWindowStore

RULE = """
rules:
  - id: r
    version: 1
    description: test rule
    severity: high
    action: hold
    roles: {roles}
    when:
{when}
"""


def rule(when: str, roles: str = "[parties, agents, text]") -> str:
    return RULE.format(roles=roles, when="\n".join("      " + line for line in when.splitlines()))


def hits(engine, payment) -> list[tuple[str, str, str]]:
    return sorted((h.hit.rule_id, h.hit.role, h.hit.field) for h in engine.evaluate(payment).hits)


@pytest.mark.parametrize(("text", "found"), [
    ("Coal via NAMPO port", ["Nampo"]),
    ("coal via nampo-port", ["Nampo"]),
    ("Nampong street", []),
    ("D.P.R.K. buyer", ["D.P.R.K."]),
    ("the Democratic People’s Republic of Korea", ["Democratic People's Republic of Korea"]),
    ("Republic of Korea", []),
    ("Pyöngyang office", ["Pyongyang"]),
])
def test_phrases_match_whole_words_after_normalisation(text, found):
    matcher = PhraseMatcher(["Nampo", "D.P.R.K.", "Democratic People's Republic of Korea",
                             "Pyongyang"])
    assert matcher.find(text) == found


PHRASES = ["Nampo", "D.P.R.K.", "Democratic People's Republic of Korea", "Korea, North", "Rason"]
WORDS = ["nampo", "d", "p", "r", "k", "democratic", "people", "s", "republic", "of", "korea",
         "north", "rason", "rasons", "bank", "x", ".", ",", "'", " ", "-"]


@given(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))
def test_passing_over_texts_without_a_first_word_misses_no_phrase(text):
    # the pattern alone, on every text, is what find() must agree with
    pattern = PhraseMatcher(PHRASES)._pattern
    expected = []
    for match in re.finditer(pattern, normalize_text(text)):
        phrase = next(p for p in PHRASES if normalize_text(p) == match.group(0))
        if phrase not in expected:
            expected.append(phrase)
    assert PhraseMatcher(PHRASES).find(text) == expected


@given(st.text(max_size=60))
def test_normalising_twice_changes_nothing(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_text_match_unless_and_fields(engine_for, make_payment):
    engine = engine_for(rule("text_match: {keywords: [widget], unless: [widget free], "
                             "fields: [text]}"))
    assert hits(engine, make_payment(remittance_info="Widgets")) == []
    assert hits(engine, make_payment(remittance_info="one WIDGET")) == [("r", "remittance_info",
                                                                        "text")]
    assert hits(engine, make_payment(remittance_info="widget free zone")) == []
    assert hits(engine, make_payment(debtor={"name": "Widget Ltd"})) == []  # names not asked


def test_country_fields(engine_for, make_payment):
    engine = engine_for(rule("country_in: {values: [IR], fields: [bic_country]}"))
    assert hits(engine, make_payment(creditor={"name": "X", "country": "IR"})) == []
    assert hits(engine, make_payment(creditor_agent={"bic": "MELIIRTH"})) == [
        ("r", "creditor_agent", "bic")]
    engine = engine_for(rule("country_in: {values: [IR]}"))
    assert hits(engine, make_payment(creditor={"name": "X", "country": "IR",
                                               "address": {"country": "IR"}})) == [
        ("r", "creditor", "address.country"), ("r", "creditor", "country")]


def test_amount_currency_and_fallback_hit(engine_for, make_payment):
    engine = engine_for(rule("all:\n  - amount: {gt: 1000000}\n  - currency_in: {values: [USD]}",
                             roles="[]"))
    assert hits(engine, make_payment(amount="1000000")) == []
    assert hits(engine, make_payment(amount="1000000.01", currency="EUR")) == []
    [hit] = engine.evaluate(make_payment(amount="2000000")).hits
    assert (hit.hit.role, hit.hit.field, hit.hit.explanation) == ("payment", "amount", "test rule")


def test_not_any_and_macros(engine_for, make_payment):
    engine = engine_for(
        rule("all:\n  - use: cn_party\n  - not: {text_match: {keywords: [approved]}}"),
        macros="macros:\n  cn_party:\n    condition:\n      any:\n"
               "        - country_in: {values: [CN]}\n        - text_match: {keywords: [Beijing]}",
    )
    assert hits(engine, make_payment()) == [("r", "creditor", "country"),
                                            ("r", "creditor_agent", "bic"),
                                            ("r", "creditor_agent", "country")]
    assert hits(engine, make_payment(creditor={"name": "Approved Shenyang Co"},
                                     creditor_agent={"name": "Approved Bank of China"})) == []


def test_member_of_named_sets(engine_for, make_payment):
    engine = engine_for(
        rule("any:\n  - member_of: {set: watched_banks}\n  - member_of: {set: watched_names}",
             roles="[agents, parties]"),
        sets="sets:\n  watched_banks: {kind: bics, values: [BKCHCNBJXXX]}\n"
             "  watched_names: {kind: names, values: ['ACME COMPONENTS, GMBH']}",
    )
    assert hits(engine, make_payment()) == [("r", "creditor_agent", "bic"), ("r", "debtor", "name")]


def test_list_match_filters_by_list_program_and_type(engine_for, make_payment):
    payment = make_payment(creditor={"name": "Korea Mining Development Trading Corporation"})
    assert hits(engine_for(rule("list_match: {lists: [un_sc]}")), payment) == [
        ("r", "creditor", "name")]
    assert hits(engine_for(rule("list_match: {lists: [ofac_sdn]}")), payment) == []
    assert hits(engine_for(rule("list_match: {programs: ['DPRK*']}")), payment) == [
        ("r", "creditor", "name")]
    assert hits(engine_for(rule("list_match: {entity_types: [person]}")), payment) == []


def test_window_store_is_idempotent_and_sliding():
    store = InMemoryWindowStore()
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    one = Decimal("10")
    assert store.add("k", "a", t0, one, 3600).count == 1
    assert store.add("k", "a", t0, one, 3600).count == 1
    assert store.add("k", "b", t0 + timedelta(minutes=30), one, 3600).total == Decimal("20")
    assert store.add("k", "c", t0 + timedelta(minutes=90), one, 3600).count == 2
    assert store.add("other", "a", t0, one, 3600).count == 1


def test_window_sum_threshold(engine_for, make_payment):
    engine = engine_for(rule("window: {key: debtor, seconds: 86400, sum_gte: 5000}", roles="[]"))
    results = [hits(engine, make_payment(payment_id=f"W{i}", amount="2000")) for i in range(3)]
    assert results == [[], [], [("r", "debtor", "window")]]


ALLOW = """
allow:
  - id: allow-1
    name: "Korea Ryonbong General Corp."
    list: ofac_sdn
    entry_id: "10001"
    reason: different company, verified
    approver: compliance officer
    expires: {expires}
"""


@pytest.mark.parametrize(("expires", "suppressed"), [("2027-01-01", True), ("2026-10-31", False)])
def test_allow_list_suppresses_and_records_until_expiry(engine_for, make_payment, expires,
                                                        suppressed):
    engine = engine_for(rule("list_match: {}", roles="[parties]"),
                        allow=ALLOW.format(expires=expires))
    evaluation = engine.evaluate(make_payment(creditor={"name": "Korea Ryonbong General Corp"}))
    if suppressed:
        assert evaluation.hits == []
        [record] = evaluation.suppressed
        assert (record.allow_id, record.hit.entry_id, record.expires) == ("allow-1", "10001",
                                                                          "2027-01-01")
    else:
        assert [h.hit.entry_id for h in evaluation.hits] == ["10001"]
        assert evaluation.suppressed == []


def test_allow_list_is_per_party(engine_for, make_payment):
    engine = engine_for(rule("list_match: {}", roles="[parties]"),
                        allow=ALLOW.format(expires="2027-01-01"))
    evaluation = engine.evaluate(make_payment(
        creditor={"name": "Korea Ryonbong General Corp"},
        debtor={"name": "Korea Ryonbong General Corporation", "account": None}))
    assert [h.hit.role for h in evaluation.hits] == ["debtor"]
    assert [s.hit.role for s in evaluation.suppressed] == ["creditor"]


def test_disabled_rule_does_not_run(engine_for, make_payment):
    text = rule("country_in: {values: [CN]}")
    engine = engine_for(text.replace("action: hold", "action: hold\n    enabled: false"))
    assert hits(engine, make_payment()) == []


def test_routing_key_groups_one_debtor_and_names_no_one(make_payment):
    from streams.rules.window import routing_key

    a = make_payment(payment_id="A", creditor={"name": "One Co"})
    b = make_payment(payment_id="B", creditor={"name": "Two Co"})
    c = make_payment(payment_id="C", debtor={"name": "Other GmbH", "account": None})
    assert routing_key(a) == routing_key(b) != routing_key(c)
    assert "Acme" not in routing_key(a) and "DE89" not in routing_key(a)


def test_allow_list_by_account_sees_each_payment_s_own_account(engine_for, make_payment):
    """The same party under two unlisted accounts: the rules remember one finding for both,
    yet the allow-list entry scoped to one account clears only that one."""
    allow = ALLOW.format(expires="2027-01-01").replace(
        '    name: "Korea Ryonbong General Corp."\n', "    account: DE44 5555\n")
    engine = engine_for(rule("list_match: {}", roles="[parties]"), allow=allow)
    name = "Korea Ryonbong General Corp"
    outcomes = []
    for account in ("DE11 1111", "DE44 5555", "DE11 1111", "de445555"):
        evaluation = engine.evaluate(make_payment(creditor={"name": name, "account": account}))
        outcomes.append((len(evaluation.hits), len(evaluation.suppressed)))
    assert outcomes == [(1, 0), (0, 1), (1, 0), (0, 1)]
