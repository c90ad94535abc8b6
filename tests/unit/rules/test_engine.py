"""The rule engine over the shipped rules and the small fake lists."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from conftest import REPO_RULES
from rule_fakes import FakeScreener

from streams.pipeline import Evaluation, PaymentScreener, RuleHit
from streams.rules.allowlist import AllowList
from streams.rules.context import Context, Subject
from streams.rules.engine import RuleEngine, subject_key, subject_only, subjects_of
from streams.rules.engine import _to_hit as to_hit
from streams.rules.loader import load_ruleset


def fired(engine: RuleEngine, payment) -> dict[str, set[str]]:
    """Rule id -> roles that the rule hit."""
    out: dict[str, set[str]] = {}
    for rule_hit in engine.evaluate(payment).hits:
        out.setdefault(rule_hit.hit.rule_id, set()).add(rule_hit.hit.role)
    return out


def test_clean_payment_fires_nothing(shipped_engine, make_payment):
    assert fired(shipped_engine, make_payment()) == {}


def test_the_2016_payment_fires_the_north_korea_rules(shipped_engine, make_payment):
    payment = make_payment(
        debtor={"name": "Dandong Hongxiang Industrial Development Co., Ltd.", "country": "CN",
                "account": None},
        intermediary_agents=[{"bic": "CHASUS33", "name": "JPMorgan Chase Bank"}],
        creditor_agent={"name": "Korea Kwangson Banking Corp", "bic": None, "country": None},
        creditor={"name": "Korea Ryonbong General Corp", "address": {"town": "Pyongyang",
                                                                     "country": "KP"}},
        remittance_info="Coal shipment Nampo",
    )
    result = fired(shipped_engine, payment)
    assert result["sanctioned-party"] == {"debtor", "creditor"}
    assert result["sanctioned-bank"] == {"creditor_agent"}
    assert result["nk-correspondent-bank"] == {"creditor_agent"}
    assert result["nk-text-reference"] == {"remittance_info", "creditor"}
    assert result["embargoed-jurisdiction"] == {"creditor"}


def test_kp_bic_in_the_intermediary_chain_blocks(shipped_engine, make_payment):
    payment = make_payment(intermediary_agents=[
        {"bic": "CHASUS33", "name": "JPMorgan Chase Bank"},
        {"bic": "FTBDKPPYXXX"},
    ])
    evaluation = shipped_engine.evaluate(payment)
    nk = [h for h in evaluation.hits if h.hit.rule_id == "nk-correspondent-bank"]
    assert {h.hit.role for h in nk} == {"intermediary_agents[1]"}
    assert {h.action for h in nk} == {"block"} and {h.severity for h in nk} == {"critical"}
    sanctioned = [h.hit for h in evaluation.hits if h.hit.rule_id == "sanctioned-bank"]
    assert sanctioned[0].entry_id == "11581" and sanctioned[0].field == "bic"


def test_custom_list_bank_by_bic_is_nk_linked(shipped_engine, make_payment):
    payment = make_payment(intermediary_agents=[{"bic": "DFRBCNBJ", "country": "CN"}])
    assert fired(shipped_engine, payment)["nk-correspondent-bank"] == {"intermediary_agents[0]"}


@pytest.mark.parametrize("agent", [
    {"name": "Korea Development Bank", "bic": "KODBKRSE", "country": "KR"},
    {"name": "Korea Development Bank"},
    {"name": "Bank of Korea", "bic": "BOKRKRSE"},
    {"name": "Korea Exchange Bank", "bic": "KOEXKRSE"},
    {"name": "Shinhan Bank", "country": "KR", "address": {"town": "Seoul",
                                                         "country": "KR"}},
])
def test_south_korean_banks_do_not_trip_north_korea_rules(shipped_engine, make_payment, agent):
    payment = make_payment(
        creditor_agent=agent,
        creditor={"name": "Hyundai Trading Co", "country": "KR",
                  "address": {"street": "12 Sejong-daero", "town": "Seoul", "country": "KR"}},
        remittance_info="Payment to Republic of Korea supplier, Seoul office",
    )
    assert fired(shipped_engine, payment) == {}


def test_account_identifier_match_masks_the_account(shipped_engine, make_payment):
    payment = make_payment(creditor={"name": "Unrelated Name Ltd", "account": "KP0001002003"})
    hits = [h.hit for h in shipped_engine.evaluate(payment).hits]
    assert [(h.rule_id, h.field, h.value) for h in hits] == [
        ("sanctioned-party", "account", "****2003")]


def _structuring(make_payment, n: int, *, amount: str = "9500", step_hours: int = 24):
    start = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
    return [make_payment(payment_id=f"S-{i}", amount=amount,
                         created_at=(start + timedelta(hours=step_hours * i)).isoformat())
            for i in range(n)]


def test_structuring_fires_on_the_third_payment_under_the_threshold(shipped_engine, make_payment):
    results = [fired(shipped_engine, p) for p in _structuring(make_payment, 4)]
    assert [("structuring" in r) for r in results] == [False, False, True, True]
    assert results[2]["structuring"] == {"debtor"}


def test_structuring_ignores_redelivery_and_spread_out_or_large_payments(shipped_engine,
                                                                         make_payment):
    first, second = _structuring(make_payment, 2)
    for payment in (first, second, second, second):  # at-least-once redelivery
        assert "structuring" not in fired(shipped_engine, payment)
    spread = _structuring(make_payment, 3, step_hours=24 * 8)
    assert not any("structuring" in fired(shipped_engine, p) for p in spread)
    large = _structuring(make_payment, 4, amount="15000")
    assert not any("structuring" in fired(shipped_engine, p) for p in large)


def test_screener_stamps_ruleset_version_and_strongest_action(shipped_engine, make_payment):
    screener = PaymentScreener(shipped_engine, {"ofac_sdn": "test"})
    outcome = screener.screen(make_payment(creditor_agent={"bic": "FTBDKPPY"}))
    assert outcome.alert is not None
    assert outcome.alert.action == "block" and outcome.alert.severity == "critical"
    assert outcome.alert.ruleset_version == shipped_engine.ruleset_version
    assert outcome.alert.ruleset_version.startswith("sha256:")
    assert outcome.result.decision == "block"
    clean = screener.screen(make_payment())
    assert clean.alert is None and clean.result.decision == "clear"


def test_each_name_is_screened_once_per_payment(shipped_engine, make_payment):
    payment = make_payment(intermediary_agents=[{"name": "Bank of China"}])
    shipped_engine.evaluate(payment)
    # debtor, creditor and three agent names, two of them the same: four distinct names
    assert shipped_engine.screener.calls == 4


def test_imo_number_in_remittance(engine_for, make_payment):
    engine = engine_for("""
rules:
  - id: vessel
    version: 1
    description: listed vessel by IMO
    severity: high
    action: hold
    roles: [text]
    when:
      identifier_match: {kinds: [imo], programs: ["DPRK*"]}
""")
    hits = engine.evaluate(make_payment(remittance_info="Freight for MV X, IMO 9137960")).hits
    assert [(h.hit.role, h.hit.value, h.hit.entry_id) for h in hits] == [
        ("remittance_info", "9137960", "30001")]
    assert engine.evaluate(make_payment(remittance_info="IMO 9999999")).hits == []


def test_each_role_is_expanded_at_most_once_per_payment(shipped_engine, make_payment,
                                                        monkeypatch):
    from streams.rules import engine as engine_module

    calls: list[str] = []
    real = engine_module.subjects_of

    def counting(payment, role):
        calls.append(role)
        return real(payment, role)

    monkeypatch.setattr(engine_module, "subjects_of", counting)
    payment = make_payment(intermediary_agents=[{"bic": "FTBDKPPYXXX"}])
    hits = shipped_engine.evaluate(payment).hits
    # several rules look at the parties and the agents: each role is still expanded at most
    # once (the remembering rules make a role's subjects only when they run or hold)
    assert sorted(calls) == sorted(set(calls))
    assert {h.hit.role for h in hits if h.hit.rule_id == "nk-correspondent-bank"} == {
        "intermediary_agents[0]"}


def test_subject_only_rules_remember_their_findings_per_subject(shipped_engine, make_payment):
    ruleset = shipped_engine.ruleset
    remembering = {item.rule.id for item in shipped_engine._compiled.rules
                   if item.memo is not None}
    assert remembering == {r.id for r in ruleset.enabled_rules
                           if subject_only(r.when, ruleset.macros)}
    assert "sanctioned-party" in remembering and "structuring" not in remembering  # window

    payment = make_payment(
        debtor={"name": "Dandong Hongxiang Industrial Development Co., Ltd.", "country": "CN",
                "account": None},
        creditor_agent={"name": "Korea Kwangson Banking Corp", "bic": None, "country": None})
    first = shipped_engine.evaluate(payment).hits
    calls = shipped_engine.screener.calls
    again = shipped_engine.evaluate(payment).hits  # same subjects: nothing screened again
    assert shipped_engine.screener.calls == calls
    assert [h.hit for h in again] == [h.hit for h in first] and first

    # the same bank under another role is another subject: its findings name that role
    moved = make_payment(debtor_agent={"name": "Korea Kwangson Banking Corp", "bic": None,
                                       "country": None})
    roles = {h.hit.role for h in shipped_engine.evaluate(moved).hits
             if h.hit.rule_id == "nk-correspondent-bank"}
    assert roles == {"debtor_agent"}


def test_remembered_findings_give_the_same_hits_as_fresh_ones(fake_lists, make_payment):
    payments = [
        make_payment(),
        make_payment(debtor={"name": "Ma Xiaohong", "country": "CN", "account": None}),
        make_payment(intermediary_agents=[{"bic": "FTBDKPPYXXX"}]),
        make_payment(remittance_info="goods for Pyongyang"),
    ]
    fresh = [RuleEngine(load_ruleset(REPO_RULES), FakeScreener(fake_lists), fake_lists,
                        clock=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))
             .evaluate(p).hits for p in payments]
    shared = RuleEngine(load_ruleset(REPO_RULES), FakeScreener(fake_lists), fake_lists,
                        clock=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))
    for _ in range(2):
        assert [shared.evaluate(p).hits for p in payments] == fresh
    assert any(fresh)
    # two parties differing only by account are two subjects
    a = payments[1].debtor
    b = a.model_copy(update={"account": "DE89370400440532013000"})
    assert subject_key(Subject("debtor", party=a)) != subject_key(Subject("debtor", party=b))


def evaluate_plainly(engine: RuleEngine, payment) -> Evaluation:
    """The rules' meaning, without memory: each rule's whole condition over its subjects."""
    compiled = engine._compiled
    ctx = Context(payment, engine.screener, engine.lists, engine.store, compiled.min_score_floor)
    today = engine.clock().date()
    evaluation = Evaluation()
    for item in compiled.rules:
        ctx.rule_id = item.rule.id
        seen: set[object] = set()
        targets = [s for role in item.roles for s in subjects_of(payment, role)] \
            if item.roles else [None]
        for subject in targets:
            findings = item.evaluate(ctx, subject)
            if findings is None:
                continue
            for finding in findings or [RuleEngine._fallback(item.rule, payment, subject)]:
                if finding.identity in seen:
                    continue
                seen.add(finding.identity)
                hit = to_hit(item.rule.id, finding)
                entry = compiled.allow.match(hit, subject, today)
                if entry is not None:
                    evaluation.suppressed.append(AllowList.suppressed(hit, entry))
                else:
                    evaluation.hits.append(RuleHit(hit, item.rule.action, item.rule.severity))
    return evaluation


def test_findings_remembered_by_the_fields_a_rule_reads_match_fresh_ones(fake_lists,
                                                                         make_payment):
    """Subjects mixed from small pools: one field changes while the others recur.

    A rule remembers its findings under the values of the fields it reads; a field left out
    of that key would hand a remembered finding to a subject that differs in it.
    """
    rng = random.Random(7)
    names = ["Acme Components GmbH", "Korea Ryonbong General Corp", "Dandong Hongxiang "
             "Industrial Development Co., Ltd.", "Pyongyang Trading Ltd", "Chong Gen",
             "Korea Ryonbong Genl"]
    accounts = [None, "DE89370400440532013000", "KP0001002003"]
    countries = [None, "DE", "KP", "CN", "IR"]
    towns = [None, "Hamburg", "Pyongyang", "Nampo"]
    banks = [("DEUTDEFF", "Deutsche Bank AG"), ("FTBDKPPY", None), (None, "Daedong Credit Bank"),
             ("BKCHCNBJ", "Bank of China"), ("SHBKKRSE", "Shinhan Bank"),
             (None, "Korea Kwangson Banking Corp")]
    texts = [None, "Invoice 1", "coal from Nampo", "vessel IMO 9137960", "spare parts"]

    def party() -> dict[str, object]:
        town, country = rng.choice(towns), rng.choice(countries)
        return {"name": rng.choice(names), "account": rng.choice(accounts),
                "country": country, "address": {"town": town, "country": rng.choice(countries)}
                if town else None}

    def agent() -> dict[str, object]:
        bic, name = rng.choice(banks)
        return {"bic": bic, "name": name, "country": rng.choice(countries)}

    def engine() -> RuleEngine:
        return RuleEngine(load_ruleset(REPO_RULES), FakeScreener(fake_lists), fake_lists,
                          clock=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))

    shared, oracle, hit_rules = engine(), engine(), set()
    for i in range(300):
        payment = make_payment(payment_id=f"P-{i}", debtor=party(), creditor=party(),
                               debtor_agent=agent(), creditor_agent=agent(),
                               intermediary_agents=[agent()] if rng.random() < 0.5 else None,
                               remittance_info=rng.choice(texts))
        remembered = shared.evaluate(payment)
        fresh = engine().evaluate(payment)
        assert remembered.hits == fresh.hits, payment.payment_id
        assert remembered.suppressed == fresh.suppressed
        plain = evaluate_plainly(oracle, payment)  # every rule over every subject, in order
        assert remembered.hits == plain.hits, payment.payment_id
        assert remembered.suppressed == plain.suppressed
        hit_rules |= {h.hit.rule_id for h in fresh.hits}
    # every remembering rule fired somewhere, and remembered findings were used
    assert hit_rules >= {item.rule.id for item in shared._compiled.rules if item.memo is not None}
    assert all(len(item.memo) < 300 * 5 for item in shared._compiled.rules if item.memo)


def test_a_rule_keyed_by_name_shares_findings_across_accounts(shipped_engine, make_payment):
    reads = {item.rule.id: item.reads for item in shipped_engine._compiled.rules}
    assert reads["possible-sanctioned-party"] == ("name",)
    assert reads["sanctioned-party"] == ("account", "name")  # identifier_match on accounts
    assert "structuring" not in {i.rule.id for i in shipped_engine._compiled.rules if i.memo}
    a = make_payment(debtor={"name": "Korea Ryonbong General Corp", "account": "DE1111"})
    b = make_payment(debtor={"name": "Korea Ryonbong General Corp", "account": "KP0001002003"})
    memo = {item.rule.id: item.memo for item in shipped_engine._compiled.rules}
    first = {h.hit.field for h in shipped_engine.evaluate(a).hits
             if h.hit.rule_id == "sanctioned-party"}
    sizes = {rule_id: len(m) for rule_id, m in memo.items() if m is not None}
    second = {h.hit.field for h in shipped_engine.evaluate(b).hits
              if h.hit.rule_id == "sanctioned-party"}
    assert first == {"name"} and second == {"name", "account"}
    # only the debtor of sanctioned-party is a new subject: the name-keyed rules remembered it
    grown = {rule_id for rule_id, m in memo.items() if m is not None and len(m) > sizes[rule_id]}
    assert grown == {"sanctioned-party"}


def test_a_party_under_a_new_unlisted_account_is_remembered(shipped_engine, make_payment):
    """An account the lists do not hold gives no finding, so it does not key the memory."""
    memo = {item.rule.id: item.memo for item in shipped_engine._compiled.rules}
    name = "Korea Ryonbong General Corp"
    first = shipped_engine.evaluate(make_payment(debtor={"name": name, "account": "DE1111"}))
    sizes = {rule_id: len(m) for rule_id, m in memo.items() if m is not None}
    again = shipped_engine.evaluate(make_payment(debtor={"name": name,
                                                         "account": "DE 2222 3333"}))
    assert {rule_id: len(m) for rule_id, m in memo.items() if m is not None} == sizes
    assert [h.hit for h in again.hits] == [h.hit for h in first.hits]
    assert {h.hit.field for h in again.hits if h.hit.rule_id == "sanctioned-party"} == {"name"}
    # a listed account is a finding of its own, remembered under that account
    listed = shipped_engine.evaluate(make_payment(debtor={"name": name,
                                                          "account": "kp 0001 002003"}))
    assert {h.hit.field for h in listed.hits if h.hit.rule_id == "sanctioned-party"} == {
        "name", "account"}
    assert len(memo["sanctioned-party"]) == sizes["sanctioned-party"] + 1


def test_free_text_stays_out_of_the_rule_memos(shipped_engine, make_payment):
    memo = {item.rule.id: item.memo for item in shipped_engine._compiled.rules}
    texts = ["goods for Pyongyang", "Invoice 63944", "goods for Pyongyang"]
    found = [{h.hit.role for h in shipped_engine.evaluate(make_payment(remittance_info=t)).hits
              if h.hit.rule_id == "nk-text-reference"} for t in texts]
    assert found == [{"remittance_info"}, set(), {"remittance_info"}]
    sizes = {rule_id: len(m) for rule_id, m in memo.items() if m is not None}
    shipped_engine.evaluate(make_payment(remittance_info="Invoice 77777"))
    # one-off remittance lines would evict parties and banks from the rules' memos
    assert {rule_id: len(m) for rule_id, m in memo.items() if m is not None} == sizes
    assert ("remittance_info", "Invoice 77777") in shipped_engine._compiled.text_rows


def test_remembered_free_text_gives_each_payment_its_own_hits(shipped_engine, make_payment,
                                                             monkeypatch):
    monkeypatch.setattr("streams.rules.engine.TEXT_ROW_MEMO_SIZE", 2)  # forgotten on the way
    texts = ["goods for Pyongyang", "Invoice 1", "goods for Pyongyang", "Invoice 2",
             "Invoice 3", "goods for Pyongyang"]
    for text in texts:
        hits = [h.hit for h in shipped_engine.evaluate(make_payment(remittance_info=text)).hits
                if h.hit.rule_id == "nk-text-reference"]
        assert [(h.role, h.value) for h in hits] == (
            [("remittance_info", text)] if "Pyongyang" in text else [])
