"""Building the payment screener from settings with the real lists, screener and rules."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from streams.assembly import build_payment_screener, build_payment_screener_from, lists_paths_for
from streams.models import Payment
from streams.rules.engine import RuleEngine
from streams.rules.window import WindowTotals
from streams.settings import SAMPLE_LISTS_DIR, Settings

REPO_RULES = Path(__file__).resolve().parents[2] / "rules"
PAYMENT_2016 = {
    "payment_id": "E2E-20161202-000042", "created_at": "2016-12-02T09:30:00Z",
    "amount": "1250000.00", "currency": "USD",
    "debtor": {"name": "Dandong Hongxiang Industrial Development Co., Ltd.",
               "address": {"town": "Dandong", "country": "CN"}},
    "debtor_agent": {"bic": "BKCHCNBJ", "name": "Bank of China"},
    "intermediary_agents": [{"bic": "CHASUS33", "name": "JPMorgan Chase Bank"}],
    "creditor_agent": {"name": "Korea Kwangson Banking Corp"},
    "creditor": {"name": "Korea Ryonbong General Corp",
                 "address": {"town": "Pyongyang", "country": "KP"}},
    "remittance_info": "Coal shipment Nampo",
}


class RecordingStore:
    """A WindowStore that records what the engine adds (the worker backs it with a table)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def add(self, key: str, payment_id: str, at: datetime, amount: Decimal,
            window_seconds: float) -> WindowTotals:
        self.calls.append((key, payment_id))
        return WindowTotals(1, amount)


def test_settings_build_a_screener_that_blocks_the_2016_payment():
    settings = Settings.model_validate({"lists_paths": [SAMPLE_LISTS_DIR],
                                        "rules_dir": REPO_RULES})
    store = RecordingStore()
    screener = build_payment_screener(settings, store=store)
    assert isinstance(screener.evaluator, RuleEngine)
    assert screener.evaluator.store is store
    outcome = screener.screen(Payment.model_validate(PAYMENT_2016))
    assert outcome.alert is not None and outcome.alert.action == "block"
    assert {"sanctioned-party", "nk-correspondent-bank"} <= {h.rule_id for h in outcome.alert.hits}
    assert "dprk_linked_banks" in outcome.alert.lists_version  # rules/lists/ is loaded too
    assert outcome.alert.ruleset_version == screener.ruleset_version


def test_structuring_window_goes_through_the_given_store():
    store = RecordingStore()
    screener = build_payment_screener_from([SAMPLE_LISTS_DIR], REPO_RULES, store=store)
    payment = dict(PAYMENT_2016, amount="9500", payment_id="W-1")
    screener.screen(Payment.model_validate(payment))
    [(key, payment_id)] = store.calls
    assert payment_id == "W-1" and key.startswith("structuring:")
    assert "Dandong" not in key  # store keys name no party


def test_custom_lists_beside_the_rules_are_added_once(tmp_path):
    paths = lists_paths_for([SAMPLE_LISTS_DIR], REPO_RULES)
    assert paths == [SAMPLE_LISTS_DIR, REPO_RULES / "lists"]
    assert lists_paths_for(paths, REPO_RULES) == paths
    assert lists_paths_for([SAMPLE_LISTS_DIR], tmp_path) == [SAMPLE_LISTS_DIR]


def test_full_lists_screen_the_2016_payment(shared_lists_dir):
    screener = build_payment_screener_from([shared_lists_dir], REPO_RULES)
    outcome = screener.screen(Payment.model_validate(PAYMENT_2016))
    assert outcome.alert is not None
    entries = {(h.rule_id, h.list, h.entry_id) for h in outcome.alert.hits}
    assert ("sanctioned-party", "ofac_sdn", "20564") in entries  # Dandong Hongxiang
    assert outcome.result.decision == "block"
    assert datetime.now(timezone.utc) >= outcome.alert.screened_at
