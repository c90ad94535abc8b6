"""streams.web: the ops views on a Faust app, readiness reasons and the consumer-lag arithmetic."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import faust
import pytest
from faust.types import TP

from streams import metrics
from streams.broker import free_port
from streams.web import Readiness, consumer_lag, register_ops_views

INPUTS = {"payments": "json", "payments.mt103": "mt103"}


@dataclass
class StubConsumer:
    """The three things consumer_lag and Readiness read from Faust's consumer."""

    assigned: set[TP]
    highwaters: dict[TP, int | None]
    _read_offset: dict[TP, int | None] = field(default_factory=dict)
    _committed_offset: dict[TP, int | None] = field(default_factory=dict)

    def assignment(self) -> set[TP]:
        return self.assigned

    def highwater(self, tp: TP) -> int | None:
        if tp not in self.highwaters:
            raise KeyError(tp)  # aiokafka raises for a partition it never fetched
        return self.highwaters[tp]


@dataclass
class StubApp:
    consumer: StubConsumer
    rebalancing: bool = False


def test_lag_is_highwater_minus_next_offset_to_process() -> None:
    p0, p1, p2, p3 = (TP("payments", i) for i in range(4))
    other = TP("alerts", 0)
    consumer = StubConsumer(
        assigned={p0, p1, p2, p3, other, TP("payments.mt103", 5)},
        highwaters={p0: 100, p1: 50, p2: None, other: 7, TP("payments.mt103", 5): 10},
        _read_offset={p0: 89, p1: None},
        _committed_offset={p1: 20},
    )
    lags = consumer_lag(StubApp(consumer), INPUTS)
    # p0: read up to 89, so 90..99 remain; p1: nothing read yet, committed 20 -> 30;
    # p2: highwater unknown; p3: never fetched; alerts is not an input; mt103/5 has no position
    assert lags == {("json", 0): 10, ("json", 1): 30}


def test_readiness_lists_every_missing_condition() -> None:
    consumer = StubConsumer(assigned=set(), highwaters={})
    readiness = Readiness(input_topics=INPUTS, app=StubApp(consumer))
    assert readiness.problems() == [
        "sanctions lists not loaded", "rules not loaded", "no input partitions assigned"]
    readiness.lists_loaded = readiness.rules_loaded = True
    consumer.assigned = {TP("alerts", 0)}
    assert readiness.problems() == ["no input partitions assigned"]
    consumer.assigned = {TP("payments", 3)}
    assert readiness.is_ready()
    assert metrics.REGISTRY.get_sample_value("streams_worker_ready") == 1
    readiness.app.rebalancing = True
    assert not readiness.is_ready()
    assert metrics.REGISTRY.get_sample_value("streams_worker_ready") == 0


def make_app(name: str) -> faust.App:
    return faust.App(name, broker="kafka://127.0.0.1:9", web_port=free_port(),
                     web_host="127.0.0.1", autodiscover=False)


def view(app: faust.App, path: str) -> Any:
    """An instance of the view registered for `path`."""
    views = [v for v in app.web.views.values() if getattr(v, "view_path", None) == path]
    assert len(views) == 1, f"{path} registered {len(views)} times"
    return views[0]


async def test_views_on_two_apps_in_one_process() -> None:
    apps = [make_app("ops-views-a"), make_app("ops-views-b")]
    readinesses = [register_ops_views(app, INPUTS) for app in apps]
    for app, readiness in zip(apps, readinesses):
        health = await view(app, "/healthz").get(None)
        assert health.status == 200
        assert json.loads(health.body) == {"status": "ok"}
        # nothing loaded and the consumer not started: not ready, with the reasons
        ready = await view(app, "/readyz").get(None)
        assert ready.status == 503
        body = json.loads(ready.body)
        assert body["status"] == "not ready"
        assert "rules not loaded" in body["problems"]
        scraped = await view(app, "/metrics").get(None)
        assert scraped.status == 200
        assert scraped.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        assert b"streams_payments_consumed_total" in scraped.body
        assert readiness.input_topics == INPUTS


@pytest.mark.parametrize("loaded", [True, False])
async def test_readyz_turns_ready_with_lists_rules_and_partitions(loaded: bool) -> None:
    app = make_app("ops-views-ready")
    readiness = register_ops_views(app, INPUTS)
    readiness.lists_loaded = readiness.rules_loaded = loaded
    readiness.app = StubApp(StubConsumer(assigned={TP("payments", 0)}, highwaters={}))
    response = await view(app, "/readyz").get(None)
    assert response.status == (200 if loaded else 503)
    assert json.loads(response.body)["assigned_partitions"] == 1


def test_worker_web_server_binds_only_the_configured_host() -> None:
    # Faust binds `web_bind` (default 0.0.0.0); `web_host` is only the advertised name
    from streams.settings import Settings
    from streams.worker.app import build_app

    app = build_app(Settings(web_host="127.0.0.1", web_port=free_port()))
    assert app.conf.web_bind == "127.0.0.1"
    assert app.conf.web_port > 0
