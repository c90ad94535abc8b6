"""The worker's operational HTTP endpoints: /metrics, /healthz and /readyz on Faust's web port.

The worker app calls this once, right after building its `faust.App` (in
streams/worker/app.py), with the input topics mapped to their source kind:

    from streams.web import Readiness, register_ops_views
    readiness = register_ops_views(
        app, {settings.payments_topic: "json", settings.pacs008_topic: "pacs008",
              settings.mt103_topic: "mt103"},
    )
    ...
    readiness.rules_loaded = True   # after the rule set is loaded
    readiness.lists_loaded = True   # after the lists are loaded
    metrics.observe_screener(screener)  # rule set version, list entries and ages

The app must bind its web server to `Settings.web_host` (`faust.App(..., web_bind=...)`):
Faust's `web_host` is only the advertised name, and its default bind is 0.0.0.0.

- GET /metrics  the Prometheus text exposition of streams.metrics.REGISTRY.
- GET /healthz  200 while the worker's event loop answers (liveness).
- GET /readyz   200 when lists and rules are loaded and input partitions are assigned,
                else 503 with the reasons, as JSON.

A timer refreshes the consumer-lag gauges every `lag_interval` seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4

from streams import metrics

__all__ = ["Readiness", "register_ops_views", "consumer_lag"]

log = logging.getLogger(__name__)


@dataclass
class Readiness:
    """What the worker must have before it is ready: lists, rules and assigned partitions."""

    input_topics: Mapping[str, str] = field(default_factory=dict)
    lists_loaded: bool = False
    rules_loaded: bool = False
    app: Any = None

    def assigned_partitions(self) -> int:
        """How many partitions of the input topics this worker holds right now."""
        if self.app is None:
            return 0
        try:
            assignment = self.app.consumer.assignment()
        except Exception:  # the consumer is not started yet
            return 0
        return sum(1 for tp in assignment if tp.topic in self.input_topics)

    def problems(self) -> list[str]:
        """Why the worker is not ready; empty when it is."""
        found = []
        if not self.lists_loaded:
            found.append("sanctions lists not loaded")
        if not self.rules_loaded:
            found.append("rules not loaded")
        if self.app is not None and getattr(self.app, "rebalancing", False):
            found.append("consumer group is rebalancing")
        elif not self.assigned_partitions():
            found.append("no input partitions assigned")
        return found

    def is_ready(self) -> bool:
        """True when the worker can screen payments; also updates the ready gauge."""
        ready = not self.problems()
        metrics.set_worker_ready(ready)
        return ready


def consumer_lag(app: Any, input_topics: Mapping[str, str]) -> dict[tuple[str, int], int]:
    """{(source, partition): records behind} for assigned input partitions, from Faust's consumer.

    Lag is the partition's highwater (next offset to be written) minus the next offset this
    worker will process: the last offset it read plus one, else the committed offset.
    Partitions whose highwater or position is not known yet are left out.
    """
    consumer = app.consumer
    lags: dict[tuple[str, int], int] = {}
    read = getattr(consumer, "_read_offset", {})
    committed = getattr(consumer, "_committed_offset", {})
    for tp in consumer.assignment():
        source = input_topics.get(tp.topic)
        if source is None:
            continue
        highwater = _highwater(consumer, tp)
        if highwater is None:
            continue
        last_read = read.get(tp)
        if last_read is not None:
            position = last_read + 1
        elif committed.get(tp) is not None:
            position = committed[tp]
        else:
            continue
        lags[(source, tp.partition)] = max(0, highwater - position)
    return lags


def _highwater(consumer: Any, tp: Any) -> int | None:
    """The partition's highwater, or None before the first fetch from it."""
    try:
        value = consumer.highwater(tp)
    except Exception:  # aiokafka raises until it has fetched from the partition
        return None
    return int(value) if value is not None else None


def register_ops_views(
    app: Any, input_topics: Mapping[str, str], *, lag_interval: float = 5.0
) -> Readiness:
    """Add /metrics, /healthz, /readyz and the lag timer to a Faust app; return its Readiness."""
    readiness = Readiness(input_topics=dict(input_topics), app=app)

    async def metrics_view(self: Any, request: Any) -> Any:
        """The Prometheus exposition of every streams metric."""
        readiness.is_ready()
        return self.bytes(metrics.render(), headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4})

    async def healthz_view(self: Any, request: Any) -> Any:
        """Liveness: answers while the worker's event loop runs."""
        return self.json({"status": "ok"})

    async def readyz_view(self: Any, request: Any) -> Any:
        """Readiness: lists and rules loaded, input partitions assigned."""
        problems = readiness.problems()
        metrics.set_worker_ready(not problems)
        status = 200 if not problems else 503
        body = {"status": "ready" if not problems else "not ready", "problems": problems,
                "assigned_partitions": readiness.assigned_partitions()}
        return self.json(body, status=status)

    app.page("/metrics", name="streams_metrics")(metrics_view)
    app.page("/healthz", name="streams_healthz")(healthz_view)
    app.page("/readyz", name="streams_readyz")(readyz_view)

    async def refresh_lag() -> None:
        """Refresh the consumer-lag and ready gauges."""
        try:
            metrics.set_consumer_lag(consumer_lag(app, readiness.input_topics))
        except Exception as exc:  # never let a metrics refresh stop the worker
            log.debug("consumer lag not available: %s", exc)
        readiness.is_ready()

    app.timer(lag_interval, name="streams_refresh_lag")(refresh_lag)

    async def mark_up() -> None:
        """Mark the worker up once the app runs."""
        metrics.set_worker_up(True)

    app.task(mark_up)

    async def mark_down(*args: Any, **kwargs: Any) -> None:
        """Mark the worker down and not ready as it shuts down."""
        metrics.set_worker_up(False)
        metrics.set_worker_ready(False)

    app.on_before_shutdown.connect(mark_down)
    return readiness
