"""streams.metrics: naming rules, label hygiene, and what each helper counts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from prometheus_client import CollectorRegistry
from prometheus_client import Counter as PromCounter
from prometheus_client.parser import text_string_to_metric_families

from streams import metrics
from streams.models import Agent, Hit, Party, Payment
from streams.pipeline import Evaluation, PaymentScreener, RuleHit

# Label names that would carry a name, an id, an account or a BIC, or an unbounded value.
FORBIDDEN_LABELS = {
    "name", "id", "payment_id", "alert_id", "entry_id", "bic", "account", "iban",
    "debtor", "creditor", "party", "value", "key", "offset", "topic", "uetr",
}


def value(name: str, labels: dict[str, str] | None = None) -> float:
    """The current value of one sample in the streams registry (0 when absent)."""
    got = metrics.REGISTRY.get_sample_value(name, labels or {})
    return 0.0 if got is None else got


def families() -> dict[str, str]:
    """{family name: type} of everything the registry exposes."""
    text = metrics.render().decode()
    return {f.name: f.type for f in text_string_to_metric_families(text)}


class FixedEvaluator:
    """A rule evaluator that returns the same hits for every payment."""

    ruleset_version = "test-rules-1"

    def __init__(self, hits: list[RuleHit]) -> None:
        self.hits = hits

    def evaluate(self, payment: Payment) -> Evaluation:
        return Evaluation(hits=list(self.hits))


def make_payment(payment_id: str) -> Payment:
    return Payment(
        payment_id=payment_id, created_at=datetime(2016, 9, 1, tzinfo=timezone.utc),
        amount=Decimal("100.00"), currency="USD",
        debtor=Party(name="Dandong Trading Co", account="CN12345678901234"),
        debtor_agent=Agent(bic="BKCHCNBJ"), creditor_agent=Agent(bic="FTBDKPPY"),
        creditor=Party(name="Korea Kwangson Banking Corp"),
    )


def hit(rule_id: str) -> Hit:
    return Hit(rule_id=rule_id, role="creditor_agent", field="bic", value="FTBDKPPY",
               list="ofac_sdn", entry_id="12345", explanation="exact BIC")


def test_every_streams_family_follows_prometheus_naming() -> None:
    found = families()
    ours = {name: kind for name, kind in found.items() if name.startswith("streams_")}
    assert len(ours) >= 15
    for name, kind in ours.items():
        if kind == "counter":
            # the parser strips _total from counter family names; the sample keeps it
            assert f"{name}_total" in metrics.render().decode(), name
        if kind == "histogram":
            assert name.endswith("_seconds"), name
    assert set(found) - set(ours) <= {n for n in found if n.startswith("process_")}
    assert "_created" not in metrics.render().decode(), "no _created series: they double the count"


def test_no_label_carries_a_name_id_account_or_bic() -> None:
    for collector in list(metrics.REGISTRY._collector_to_names):  # noqa: SLF001
        for family in collector.collect():
            for sample in family.samples:
                bad = set(sample.labels) & FORBIDDEN_LABELS
                assert not bad, f"{sample.name} has labels {bad}"


def test_declared_label_values_are_preinitialised() -> None:
    for source in metrics.SOURCES:
        assert metrics.REGISTRY.get_sample_value(
            "streams_payments_consumed_total", {"source": source}) is not None
    for decision in metrics.DECISIONS:
        assert metrics.REGISTRY.get_sample_value(
            "streams_screening_results_total", {"decision": decision}) is not None


def test_observe_batch_counts_outcomes_dead_letters_and_stages() -> None:
    screener = PaymentScreener(
        FixedEvaluator([RuleHit(hit("dprk-bic"), "block", "critical"),
                        RuleHit(hit("sdn-name"), "hold", "high")]),
        {"ofac_sdn": "2026-11-01"},
    )
    clean = PaymentScreener(FixedEvaluator([]), {"ofac_sdn": "2026-11-01"})
    outcomes = [screener.screen(make_payment("p1")), screener.screen(make_payment("p2")),
                clean.screen(make_payment("p3"))]
    before = {
        "json": value("streams_payments_consumed_total", {"source": "json"}),
        "block": value("streams_screening_results_total", {"decision": "block"}),
        "clear": value("streams_screening_results_total", {"decision": "clear"}),
        "dprk": value("streams_alerts_total", {"rule": "dprk-bic", "severity": "critical"}),
        "sdn": value("streams_alerts_total", {"rule": "sdn-name", "severity": "critical"}),
        "dlq": value("streams_dead_letters_total", {"reason": "json"}),
        "latency": value("streams_screening_latency_seconds_count"),
        "decode": value("streams_stage_latency_seconds_count", {"stage": "decode"}),
    }
    metrics.observe_batch("json", outcomes, dead_letter_reasons=["json", "json"],
                          stage_seconds={"decode": 0.002})
    assert value("streams_payments_consumed_total", {"source": "json"}) - before["json"] == 5
    assert value("streams_screening_results_total", {"decision": "block"}) - before["block"] == 2
    assert value("streams_screening_results_total", {"decision": "clear"}) - before["clear"] == 1
    # one alert per flagged payment, counted under each rule that fired, with the alert severity
    assert value("streams_alerts_total",
                 {"rule": "dprk-bic", "severity": "critical"}) - before["dprk"] == 2
    assert value("streams_alerts_total",
                 {"rule": "sdn-name", "severity": "critical"}) - before["sdn"] == 2
    assert value("streams_dead_letters_total", {"reason": "json"}) - before["dlq"] == 2
    assert value("streams_screening_latency_seconds_count") - before["latency"] == 3
    assert value("streams_stage_latency_seconds_count", {"stage": "decode"}) - before["decode"] == 1


class Report:
    """The shape of streams.worker.processing.BatchReport that observe_report reads."""

    def __init__(self) -> None:
        self.records = 4
        self.decisions: Counter[str] = Counter({"clear": 2, "review": 1})
        self.dead_letters: Counter[str] = Counter({"too_large": 1})
        self.latencies_ms = [1.5, 2.5, 900.0]
        self.alert_rules: Counter[tuple[str, str]] = Counter({("name-fuzzy", "medium"): 1})


def test_observe_report_counts_a_worker_batch_report() -> None:
    before_consumed = value("streams_payments_consumed_total", {"source": "mt103"})
    before_review = value("streams_screening_results_total", {"decision": "review"})
    before_dlq = value("streams_dead_letters_total", {"reason": "too_large"})
    before_slow = value("streams_screening_latency_seconds_bucket", {"le": "0.5"})
    before_count = value("streams_screening_latency_seconds_count")
    before_alerts = value("streams_alerts_total", {"rule": "name-fuzzy", "severity": "medium"})
    metrics.observe_report("mt103", Report(), stage_seconds={"publish": 0.01})
    assert value("streams_payments_consumed_total", {"source": "mt103"}) - before_consumed == 4
    assert value("streams_screening_results_total", {"decision": "review"}) - before_review == 1
    assert value("streams_dead_letters_total", {"reason": "too_large"}) - before_dlq == 1
    assert value("streams_screening_latency_seconds_count") - before_count == 3
    # 900 ms is above the 0.5 s bucket: only the two fast ones land in it
    assert value("streams_screening_latency_seconds_bucket", {"le": "0.5"}) - before_slow == 2
    assert value("streams_alerts_total",
                 {"rule": "name-fuzzy", "severity": "medium"}) - before_alerts == 1


def test_time_stage_observes_the_block_even_when_it_raises() -> None:
    before = value("streams_stage_latency_seconds_count", {"stage": "rules"})
    try:
        with metrics.time_stage("rules"):
            raise ValueError("boom")
    except ValueError:
        pass
    assert value("streams_stage_latency_seconds_count", {"stage": "rules"}) - before == 1


def test_list_age_is_computed_at_scrape_time() -> None:
    published = datetime.now(timezone.utc) - timedelta(days=3)
    metrics.set_list_loaded("test_list_age", 1234, published)
    assert value("streams_list_entries", {"list": "test_list_age"}) == 1234
    age = value("streams_list_age_seconds", {"list": "test_list_age"})
    assert 3 * 86400 - 60 < age < 3 * 86400 + 600
    stamp = value("streams_list_published_timestamp_seconds", {"list": "test_list_age"})
    assert abs(stamp - published.timestamp()) < 1e-3
    metrics.forget_list("test_list_age")
    assert metrics.REGISTRY.get_sample_value("streams_list_age_seconds",
                                             {"list": "test_list_age"}) is None
    assert metrics.REGISTRY.get_sample_value("streams_list_entries",
                                             {"list": "test_list_age"}) is None


def test_ruleset_info_reload_counters_and_worker_state() -> None:
    metrics.set_ruleset("abc123", 7)
    assert value("streams_ruleset_info", {"version": "abc123"}) == 1
    assert value("streams_rules_loaded") == 7
    metrics.set_ruleset("def456", 8)
    assert metrics.REGISTRY.get_sample_value("streams_ruleset_info", {"version": "abc123"}) is None
    before = value("streams_reloads_total", {"kind": "lists", "result": "failure"})
    metrics.record_reload("lists", ok=False)
    assert value("streams_reloads_total", {"kind": "lists", "result": "failure"}) - before == 1
    metrics.record_reload("rules", ok=True)
    stamp = value("streams_last_reload_success_timestamp_seconds", {"kind": "rules"})
    assert abs(stamp - time.time()) < 60
    metrics.set_worker_ready(True)
    assert value("streams_worker_ready") == 1
    metrics.set_worker_ready(False)
    assert value("streams_worker_ready") == 0


def test_consumer_lag_replaces_the_previous_assignment() -> None:
    metrics.set_consumer_lag({("json", 0): 10, ("json", 1): 3})
    assert value("streams_consumer_lag_records", {"source": "json", "partition": "0"}) == 10
    metrics.set_consumer_lag({("json", 1): 0, ("pacs008", 2): -5})
    assert metrics.REGISTRY.get_sample_value(
        "streams_consumer_lag_records", {"source": "json", "partition": "0"}) is None
    assert value("streams_consumer_lag_records", {"source": "pacs008", "partition": "2"}) == 0


def test_metrics_live_in_their_own_registry() -> None:
    from prometheus_client import REGISTRY as GLOBAL

    assert GLOBAL.get_sample_value("streams_worker_up") is None
    # the names stay free in prometheus-client's global registry for other libraries
    other = CollectorRegistry()
    PromCounter("streams_payments_consumed_total", "x", ["source"], registry=other)


def test_declaring_the_metrics_twice_in_one_process_does_not_clash() -> None:
    # a module reload re-runs every declaration, as a second app in one process might;
    # done in a child process so this test's process keeps one set of metric objects
    script = (
        "import importlib, streams.metrics as m\n"
        "first = m.REGISTRY\n"
        "m = importlib.reload(m)\n"
        "assert m.REGISTRY is not first\n"
        "assert m.REGISTRY.get_sample_value('streams_worker_up') == 0\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_list_publication_time_from_version_else_file_time(tmp_path: Path) -> None:
    listed = tmp_path / "custom.yaml"
    listed.write_text("entries: []\n")
    os.utime(listed, (1_700_000_000, 1_700_000_000))
    dated = SimpleNamespace(version="sample-2026-11-29", source=None, loaded_at=None)
    stamped = SimpleNamespace(version="2026-11-28T20:00:03-05:00", source=None, loaded_at=None)
    hashed = SimpleNamespace(version="sha256:97ad15f1", source=str(listed), loaded_at=None)
    midnight = datetime(2026, 11, 29, tzinfo=timezone.utc)
    assert metrics.list_published_at(dated) == midnight.timestamp()
    assert metrics.list_published_at(stamped) == datetime(
        2026, 11, 29, 1, 0, 3, tzinfo=timezone.utc).timestamp()
    assert metrics.list_published_at(hashed) == 1_700_000_000


def test_observe_screener_records_rules_and_every_list() -> None:
    from streams.assembly import build_payment_screener_from
    from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR

    metrics.set_list_loaded("a_list_that_went_away", 1, None)
    screener = build_payment_screener_from([SAMPLE_LISTS_DIR], REPO_RULES_DIR)
    metrics.observe_screener(screener)
    snapshots = screener.evaluator.lists.snapshots  # type: ignore[attr-defined]
    assert snapshots
    for list_id, snapshot in snapshots.items():
        assert value("streams_list_entries", {"list": list_id}) == len(snapshot.entities)
        assert value("streams_list_age_seconds", {"list": list_id}) >= 0
    assert metrics.REGISTRY.get_sample_value(
        "streams_list_entries", {"list": "a_list_that_went_away"}) is None
    assert value("streams_ruleset_info", {"version": screener.ruleset_version}) == 1
    assert value("streams_rules_loaded") > 0
