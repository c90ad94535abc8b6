"""The 2016 payment as canonical JSON, pacs.008 and MT103 gives one and the same alert."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from streams.assembly import build_payment_screener_from
from streams.formats import decode_any
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR

SCENARIO = ("scenario-2016.json", "scenario-2016.pacs008.xml", "scenario-2016.mt103.txt")
SCREENED_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)


def hit_keys(alert) -> list[tuple]:
    return sorted((h.rule_id, h.role, h.field, h.value, h.list, h.entry_id) for h in alert.hits)


@pytest.fixture(params=["shared", "sample"])
def list_paths(request: pytest.FixtureRequest) -> list[Path]:
    """The real lists of ../shared (skipped when absent) and the shipped sample lists."""
    if request.param == "shared":
        return [request.getfixturevalue("shared_lists_dir")]
    return [SAMPLE_LISTS_DIR]


def test_three_formats_yield_the_same_alert(fixture_bytes, list_paths: list[Path]) -> None:
    screener = build_payment_screener_from(list_paths, REPO_RULES_DIR)
    screener.clock = lambda: SCREENED_AT
    alerts = []
    for name in SCENARIO:
        [payment] = decode_any(fixture_bytes(name), max_bytes=1_000_000)
        outcome = screener.screen(payment)
        assert outcome.alert is not None, f"{name} was not flagged"
        alerts.append(outcome.alert)
    canonical = alerts[0]
    assert canonical.action == "block"
    assert {"debtor", "creditor", "creditor_agent"} <= {h.role for h in canonical.hits}
    for name, alert in zip(SCENARIO[1:], alerts[1:]):
        assert hit_keys(alert) == hit_keys(canonical), name
        assert alert.model_dump() == canonical.model_dump(), name


def test_every_bank_of_a_pacs008_chain_is_screened(fixture_bytes, shared_lists_dir: Path) -> None:
    screener = build_payment_screener_from([shared_lists_dir], REPO_RULES_DIR)
    payments = decode_any(fixture_bytes("pacs008-multi.xml"), max_bytes=1_000_000)
    outcome = screener.screen(payments[1])  # FTBDKPPY as IntrmyAgt1, after PrvsInstgAgt1
    assert outcome.alert is not None
    bank_hits = {(h.role, h.field, h.entry_id) for h in outcome.alert.hits
                 if h.rule_id == "sanctioned-bank"}
    assert ("intermediary_agents[1]", "bic", "15603") in bank_hits
