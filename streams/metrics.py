"""Every Prometheus metric of streams, declared once, in a registry of its own.

The metrics live in `REGISTRY` (not prometheus-client's global one), are created once at
import, and so can be served by any number of apps built in one process. Naming follows
Prometheus: prefix `streams_`, counters end in `_total`, durations are `_seconds`, and no
label carries a name, an id, an account or a BIC: every label value comes from a small
fixed set (the constants below) or from configuration (list and rule names).

Hot-path API for the worker, one call per batch (source is one of SOURCES):

    from streams import metrics
    report = await process_records(...)          # streams.worker.processing.BatchReport
    metrics.observe_report("json", report, stage_seconds={"screen": t1 - t0, "publish": t2 - t1})

`observe_report` reads `records`, `decisions` (decision -> count), `dead_letters`
(error_type -> count), `latencies_ms` and, when present, `alert_rules` ((rule_id, severity)
-> count, one per rule that fired in an alert). `observe_batch` does the same from a list of
pipeline Outcomes. The metric objects can also be used directly, e.g.
`metrics.PAYMENTS_CONSUMED.labels(source="mt103").inc(3)`.
After every load or reload of lists and rules, one call records the rule set version, rule
count, and each list's entries and age:

    metrics.observe_screener(screener)           # a PaymentScreener over a RuleEngine

Other state changes (reloads, readiness) have their own setters below.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from streams import __version__
from streams.pipeline import Outcome

__all__ = [
    "REGISTRY",
    "SOURCES",
    "DECISIONS",
    "STAGES",
    "observe_batch",
    "observe_report",
    "observe_dead_letter",
    "observe_stage",
    "time_stage",
    "set_list_loaded",
    "observe_lists",
    "observe_screener",
    "forget_list",
    "set_ruleset",
    "record_reload",
    "set_consumer_lag",
    "set_worker_up",
    "set_worker_ready",
    "render",
]

SOURCES = ("json", "pacs008", "mt103")
"""Values of the `source` label: the kind of input topic, never its (configurable) name."""
DECISIONS = ("clear", "review", "hold", "block")
"""Values of the `decision` label."""
STAGES = ("decode", "screen", "rules", "publish")
"""Values of the `stage` label: decode the record, screen the names, evaluate rules, publish."""
RELOAD_KINDS = ("rules", "lists")
RELOAD_RESULTS = ("success", "failure")

# Latency buckets from 100 µs to 10 s: screening one payment takes around a millisecond.
LATENCY_BUCKETS = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.5, 5.0, 10.0,
)

_DATE_IN_VERSION = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")

# The `_created` series of every counter double the series count and nobody graphs them.
disable_created_metrics()  # type: ignore[no-untyped-call]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

BUILD = Info("streams_build", "The streams version this worker runs.", registry=REGISTRY)
BUILD.info({"version": __version__})

PAYMENTS_CONSUMED = Counter(
    "streams_payments_consumed_total",
    "Payment records consumed, by kind of input topic (json, pacs008, mt103).",
    ["source"], registry=REGISTRY,
)
SCREENING_RESULTS = Counter(
    "streams_screening_results_total",
    "Screening results published, by decision (clear, review, hold, block).",
    ["decision"], registry=REGISTRY,
)
ALERTS = Counter(
    "streams_alerts_total",
    "Alerts published, counted once per rule that fired in the alert, with the alert severity.",
    ["rule", "severity"], registry=REGISTRY,
)
DEAD_LETTERS = Counter(
    "streams_dead_letters_total",
    "Records sent to the dead-letter topic, by reason (the dead letter's error_type).",
    ["reason"], registry=REGISTRY,
)
SCREENING_LATENCY = Histogram(
    "streams_screening_latency_seconds",
    "Time from receiving a payment to its screening result, in seconds.",
    buckets=LATENCY_BUCKETS, registry=REGISTRY,
)
STAGE_LATENCY = Histogram(
    "streams_stage_latency_seconds",
    "Time spent per stage (decode, screen, rules, publish) per batch or record, in seconds.",
    ["stage"], buckets=LATENCY_BUCKETS, registry=REGISTRY,
)
LIST_ENTRIES = Gauge(
    "streams_list_entries",
    "Entries loaded from each sanctions list.",
    ["list"], registry=REGISTRY,
)
RULESET = Info(
    "streams_ruleset",
    "The rule set in force: its content-hash version and number of rules.",
    registry=REGISTRY,
)
RULES_LOADED = Gauge(
    "streams_rules_loaded",
    "Rules in the rule set in force.",
    registry=REGISTRY,
)
RELOADS = Counter(
    "streams_reloads_total",
    "Reloads of rules or lists, by kind (rules, lists) and result (success, failure).",
    ["kind", "result"], registry=REGISTRY,
)
LAST_RELOAD_SUCCESS = Gauge(
    "streams_last_reload_success_timestamp_seconds",
    "Unix time of the last successful load of rules or lists.",
    ["kind"], registry=REGISTRY,
)
CONSUMER_LAG = Gauge(
    "streams_consumer_lag_records",
    "Records not yet processed per assigned input partition (highwater - next offset to read).",
    ["source", "partition"], registry=REGISTRY,
)
WORKER_UP = Gauge(
    "streams_worker_up",
    "1 while the worker process runs its Faust app.",
    registry=REGISTRY,
)
WORKER_READY = Gauge(
    "streams_worker_ready",
    "1 when lists and rules are loaded and partitions are assigned, else 0.",
    registry=REGISTRY,
)


class _ListAgeCollector(Collector):
    """Reports each list's age at scrape time from the publication time it was loaded with."""

    def __init__(self) -> None:
        self.published: dict[str, float] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield the age and publication time of every loaded list."""
        now = time.time()
        age = GaugeMetricFamily(
            "streams_list_age_seconds",
            "Seconds since the loaded version of each list was published (file time if unknown).",
            labels=["list"],
        )
        published = GaugeMetricFamily(
            "streams_list_published_timestamp_seconds",
            "Unix time the loaded version of each list was published.",
            labels=["list"],
        )
        for name, stamp in sorted(self.published.items()):
            age.add_metric([name], max(0.0, now - stamp))
            published.add_metric([name], stamp)
        yield age
        yield published


_LIST_AGES = _ListAgeCollector()
REGISTRY.register(_LIST_AGES)
_LOADED_LISTS: set[str] = set()

for _source in SOURCES:
    PAYMENTS_CONSUMED.labels(source=_source)
for _decision in DECISIONS:
    SCREENING_RESULTS.labels(decision=_decision)
for _stage in STAGES:
    STAGE_LATENCY.labels(stage=_stage)
for _kind in RELOAD_KINDS:
    for _result in RELOAD_RESULTS:
        RELOADS.labels(kind=_kind, result=_result)
WORKER_UP.set(0)
WORKER_READY.set(0)


def observe_batch(
    source: str,
    outcomes: Sequence[Outcome],
    dead_letter_reasons: Iterable[str] = (),
    stage_seconds: Mapping[str, float] | None = None,
) -> None:
    """Count one batch: records consumed, decisions, alerts per rule, dead letters, latencies.

    `source` is one of SOURCES; `outcomes` are the screened payments of the batch;
    `dead_letter_reasons` holds one DeadLetter.error_type per dead-lettered record;
    `stage_seconds` maps a stage of STAGES to the time the batch spent in it.
    """
    reasons = list(dead_letter_reasons)
    consumed = len(outcomes) + len(reasons)
    if consumed:
        PAYMENTS_CONSUMED.labels(source=source).inc(consumed)
    decisions: dict[str, int] = {}
    for outcome in outcomes:
        result = outcome.result
        decisions[result.decision] = decisions.get(result.decision, 0) + 1
        SCREENING_LATENCY.observe(result.latency_ms / 1000.0)
        alert = outcome.alert
        if alert is not None:
            for rule in sorted({hit.rule_id for hit in alert.hits}):
                ALERTS.labels(rule=rule, severity=alert.severity).inc()
    for decision, count in decisions.items():
        SCREENING_RESULTS.labels(decision=decision).inc(count)
    for reason in reasons:
        DEAD_LETTERS.labels(reason=reason).inc()
    for stage, seconds in (stage_seconds or {}).items():
        STAGE_LATENCY.labels(stage=stage).observe(seconds)


def observe_report(
    source: str, report: Any, stage_seconds: Mapping[str, float] | None = None
) -> None:
    """Count one batch from a worker BatchReport (see the module docstring for the fields read)."""
    if report.records:
        PAYMENTS_CONSUMED.labels(source=source).inc(report.records)
    for decision, count in report.decisions.items():
        if count:
            SCREENING_RESULTS.labels(decision=decision).inc(count)
    for reason, count in report.dead_letters.items():
        if count:
            DEAD_LETTERS.labels(reason=reason).inc(count)
    for latency_ms in report.latencies_ms:
        SCREENING_LATENCY.observe(latency_ms / 1000.0)
    for (rule, severity), count in getattr(report, "alert_rules", {}).items():
        if count:
            ALERTS.labels(rule=rule, severity=severity).inc(count)
    for stage, seconds in (stage_seconds or {}).items():
        STAGE_LATENCY.labels(stage=stage).observe(seconds)


def observe_dead_letter(reason: str) -> None:
    """Count one dead letter outside a batch (e.g. a converter that failed on a whole file)."""
    DEAD_LETTERS.labels(reason=reason).inc()


def observe_stage(stage: str, seconds: float) -> None:
    """Record the time one stage of STAGES took."""
    STAGE_LATENCY.labels(stage=stage).observe(seconds)


@contextmanager
def time_stage(stage: str) -> Iterator[None]:
    """Time the body of a `with` block as one observation of a stage of STAGES."""
    started = time.perf_counter()
    try:
        yield
    finally:
        STAGE_LATENCY.labels(stage=stage).observe(time.perf_counter() - started)


def set_list_loaded(name: str, entries: int, published: datetime | float | None) -> None:
    """Record a loaded list: its entry count and publication time (datetime or Unix time)."""
    LIST_ENTRIES.labels(list=name).set(entries)
    _LOADED_LISTS.add(name)
    if published is not None:
        stamp = published.timestamp() if isinstance(published, datetime) else float(published)
        _LIST_AGES.published[name] = stamp


def forget_list(name: str) -> None:
    """Drop a list that is no longer loaded, so it stops being reported."""
    _LIST_AGES.published.pop(name, None)
    _LOADED_LISTS.discard(name)
    try:
        LIST_ENTRIES.remove(name)
    except KeyError:
        pass


def list_published_at(snapshot: Any) -> float | None:
    """Unix time a list snapshot was published: its date version, else its file time."""
    version = str(getattr(snapshot, "version", "") or "")
    try:
        stamp: datetime | None = datetime.fromisoformat(version.replace("Z", "+00:00"))
    except ValueError:
        dated = _DATE_IN_VERSION.search(version)  # e.g. "sample-2026-11-29"
        stamp = datetime.fromisoformat(dated.group(0)) if dated else None
    if stamp is not None:
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
        return stamp.timestamp()
    source = getattr(snapshot, "source", None)
    if source:
        try:
            return Path(str(source)).stat().st_mtime
        except OSError:
            pass
    loaded = getattr(snapshot, "loaded_at", None)
    return loaded.timestamp() if isinstance(loaded, datetime) else None


def observe_lists(snapshots: Iterable[Any]) -> None:
    """Record every loaded list (ListSnapshot-like: list_id, version, source, entities)."""
    current = {}
    for snapshot in snapshots:
        current[snapshot.list_id] = snapshot
    for name in _LOADED_LISTS - set(current):
        forget_list(name)
    for name, snapshot in current.items():
        set_list_loaded(name, len(snapshot.entities), list_published_at(snapshot))


def observe_screener(screener: Any) -> None:
    """Record the rule set and lists a PaymentScreener screens with (after a load or reload)."""
    evaluator = getattr(screener, "evaluator", None)
    ruleset = getattr(evaluator, "ruleset", None)
    rules = getattr(ruleset, "enabled_rules", None) or getattr(ruleset, "rules", None) or ()
    set_ruleset(str(screener.ruleset_version), len(rules))
    lists = getattr(evaluator, "lists", None)
    snapshots = getattr(lists, "snapshots", None)
    if snapshots is not None:
        observe_lists(snapshots.values())


def set_ruleset(version: str, rules: int) -> None:
    """Record the rule set in force (its content-hash version and rule count)."""
    RULESET.info({"version": version})
    RULES_LOADED.set(rules)


def record_reload(kind: str, ok: bool) -> None:
    """Count one load or reload of `kind` (rules or lists), successful or failed."""
    RELOADS.labels(kind=kind, result="success" if ok else "failure").inc()
    if ok:
        LAST_RELOAD_SUCCESS.labels(kind=kind).set(time.time())


def set_consumer_lag(lags: Mapping[tuple[str, int], int]) -> None:
    """Replace the lag gauges with {(source, partition): records behind} for assigned partitions."""
    CONSUMER_LAG.clear()
    for (source, partition), lag in lags.items():
        CONSUMER_LAG.labels(source=source, partition=str(partition)).set(max(0, lag))


def set_worker_up(up: bool) -> None:
    """Mark the worker as running (1) or stopped (0)."""
    WORKER_UP.set(1 if up else 0)


def set_worker_ready(ready: bool) -> None:
    """Mark the worker as ready (1) or not (0)."""
    WORKER_READY.set(1 if ready else 0)


def render() -> bytes:
    """The text exposition of every streams metric."""
    return generate_latest(REGISTRY)
