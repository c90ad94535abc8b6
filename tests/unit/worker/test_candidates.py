"""Stage 1 screens with a probe: final outcomes are published, window candidates forwarded."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from streams.assembly import build_payment_screener_from, screener_for
from streams.models import Alert, Payment, ScreeningResult
from streams.pipeline import PaymentScreener
from streams.rules.loader import load_ruleset
from streams.rules.window import InMemoryWindowStore, ProbeWindowStore, routing_key
from streams.screening.listset import load_lists
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR
from streams.worker.candidates import WindowRouter, can_probe, screen_or_forward_records
from streams.worker.demo_scenario import CLEAN, FLAGGED
from streams.worker.processing import Outputs, RawRecord, json_decoder
from streams.worker.repartition import RECEIVED_HEADER, repartition_topic_name

OUT = Outputs(alerts="alerts", results="results", dlq="dlq")
HOP = repartition_topic_name("app")
MAX = 65536
AT = datetime(2016, 9, 1, tzinfo=timezone.utc)


def record(value: dict[str, Any] | bytes, offset: int = 0) -> RawRecord:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return RawRecord("payments", 2, offset, b"k", raw, received=0.0)


def in_band(pid: str, amount: str = "9500.00") -> dict[str, Any]:
    """A clean payment in the structuring band (9,000 to 9,999.99 USD): a window candidate."""
    return dict(CLEAN["DEMO-2016-101"], payment_id=pid, amount=amount)


@pytest.fixture(scope="module")
def real() -> InMemoryWindowStore:
    return InMemoryWindowStore()


@pytest.fixture(scope="module")
def router(real: InMemoryWindowStore) -> WindowRouter:
    return WindowRouter(real)


@pytest.fixture(scope="module")
def screener(router: WindowRouter) -> PaymentScreener:
    return build_payment_screener_from([SAMPLE_LISTS_DIR], REPO_RULES_DIR, store=router)


def test_the_probe_answers_for_the_payment_alone_and_keeps_nothing() -> None:
    probe = ProbeWindowStore()
    assert not probe.touched
    for _ in range(3):  # the same key again: a real store would count 3
        totals = probe.add("structuring:k", "P1", AT, Decimal("9500.00"), 3600)
    assert probe.touched
    assert (totals.count, totals.total) == (1, Decimal("9500.00"))
    assert {a for a in dir(probe) if not a.startswith("__")} == {"add", "touched"}


def test_the_router_probes_only_inside_the_block_even_when_it_raises() -> None:
    real = InMemoryWindowStore()
    router = WindowRouter(real)
    with router.probing() as probe:
        router.add("k", "P1", AT, Decimal(1), 60)
    assert probe.touched and len(real) == 0  # nothing leaked into the real store
    with pytest.raises(RuntimeError), router.probing():
        raise RuntimeError("screening failed")
    assert router.add("k", "P2", AT, Decimal(1), 60).count == 1
    assert len(real) == 1  # after the failed block, adds reach the real store again


def test_a_candidate_is_forwarded_and_nothing_is_published_for_it(
    screener: PaymentScreener, router: WindowRouter, real: InMemoryWindowStore
) -> None:
    before = len(real)
    records = [record(in_band(f"BAND-{i}"), i) for i in range(4)]
    messages, report = screen_or_forward_records(records, json_decoder(MAX), screener, router,
                                                 OUT, HOP, max_bytes=MAX)
    assert [m.topic for m in messages] == [HOP] * 4  # no result, no alert in stage 1
    assert report.forwarded == 4 and report.screened == 0 and report.alerts == 0
    payments = [Payment.model_validate_json(m.value) for m in messages]
    assert [p.payment_id for p in payments] == [f"BAND-{i}" for i in range(4)]
    assert [m.key for m in messages] == [routing_key(p).encode() for p in payments]
    assert all(dict(m.headers).get(RECEIVED_HEADER) for m in messages)
    assert len(real) == before  # the probe stood in: the real windows are untouched


def test_a_non_candidate_is_published_directly(screener: PaymentScreener,
                                               router: WindowRouter) -> None:
    records = [record(CLEAN["DEMO-2016-101"], 0), record(in_band("LOW", "8999.99"), 1),
               record(b"{not json", 2)]
    messages, report = screen_or_forward_records(records, json_decoder(MAX), screener, router,
                                                 OUT, HOP, max_bytes=MAX)
    assert [m.topic for m in messages] == ["results", "results", "dlq"]
    assert report.forwarded == 0 and report.screened == 2
    assert sum(report.dead_letters.values()) == 1
    results = [ScreeningResult.model_validate_json(m.value) for m in messages[:2]]
    assert [(r.payment_id, r.decision) for r in results] == [("DEMO-2016-101", "clear"),
                                                             ("LOW", "clear")]
    assert [m.key for m in messages[:2]] == [b"DEMO-2016-101", b"LOW"]


def test_a_flagged_non_candidate_gets_its_alert_in_stage_one(
    screener: PaymentScreener, router: WindowRouter
) -> None:
    flagged = FLAGGED["DEMO-2016-001"]
    messages, report = screen_or_forward_records([record(flagged)], json_decoder(MAX), screener,
                                                 router, OUT, HOP, max_bytes=MAX)
    assert [m.topic for m in messages] == ["alerts", "results"]
    alert = Alert.model_validate_json(messages[0].value)
    result = ScreeningResult.model_validate_json(messages[1].value)
    assert alert.payment_id == result.payment_id == "DEMO-2016-001"
    assert result.alert_id == alert.alert_id and report.alerts == 1
    assert report.forwarded == 0


def test_a_screener_that_keeps_another_store_forwards_everything(router: WindowRouter) -> None:
    other = build_payment_screener_from([SAMPLE_LISTS_DIR], REPO_RULES_DIR,
                                        store=InMemoryWindowStore())
    assert not can_probe(other, router)
    messages, report = screen_or_forward_records([record(CLEAN["DEMO-2016-101"])],
                                                 json_decoder(MAX), other, router, OUT, HOP,
                                                 max_bytes=MAX)
    assert [m.topic for m in messages] == [HOP] and report.forwarded == 1


def test_a_windowed_rule_added_later_is_probed(tmp_path: Path) -> None:
    """A hot rule reload (RuleEngine.replace) or a rebuilt screener probes a new window."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "big.yaml").write_text(
        "rules:\n  - id: many-large\n    version: 1\n    description: many large payments\n"
        "    severity: low\n    action: review\n    when:\n      all:\n"
        "        - amount: {gte: 100000}\n"
        "        - window: {key: debtor, seconds: 3600, count_gte: 5}\n")
    real = InMemoryWindowStore()
    router = WindowRouter(real)
    before = build_payment_screener_from([SAMPLE_LISTS_DIR], REPO_RULES_DIR, store=router)
    large = record(CLEAN["DEMO-2016-104"])  # 640,000 USD: no window in the repo's rules
    messages, _ = screen_or_forward_records([large], json_decoder(MAX), before, router, OUT,
                                            HOP, max_bytes=MAX)
    assert [m.topic for m in messages] == ["results"]
    before.evaluator.replace(load_ruleset(rules))  # type: ignore[attr-defined]
    rebuilt = screener_for(load_lists([SAMPLE_LISTS_DIR]), load_ruleset(rules), router)
    for after in (before, rebuilt):
        messages, report = screen_or_forward_records([large], json_decoder(MAX), after, router,
                                                     OUT, HOP, max_bytes=MAX)
        assert [m.topic for m in messages] == [HOP] and report.forwarded == 1
    assert len(real) == 0
