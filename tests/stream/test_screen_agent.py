"""The payments agent's batch loop in process, with Faust's agent.test_context() and no broker.

The publisher records what would be sent and completes each send only when the test says so,
which shows that a batch's events are acked after, and only after, its sends complete, that
the next batch is screened meanwhile, and that a stop acks what the broker then confirms.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import faust
import pytest

from streams.models import Alert, DeadLetter, ScreeningResult
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR, Settings
from streams.worker.agents import WorkerContext, screen_batches
from streams.worker.app import make_topics
from streams.worker.demo_scenario import CLEAN, FLAGGED
from streams.worker.processing import Outputs, json_decoder
from streams.worker.state import load_screening_state


class HeldPublisher:
    """Records sends; each send's future completes when `release()` is called."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes]] = []
        self.futures: list[asyncio.Future[None]] = []

    async def send(self, topic: str, key: bytes | None, value: bytes) -> asyncio.Future[None]:
        self.sent.append((topic, key, value))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.futures.append(future)
        return future

    def release(self, *indexes: int) -> None:
        """Complete the sends at these indexes (all of them when none are given)."""
        for index, future in enumerate(self.futures):
            if not future.done() and (not indexes or index in indexes):
                future.set_result(None)

    def of(self, topic: str) -> list[dict[str, Any]]:
        return [json.loads(v) for t, _, v in self.sent if t == topic]


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    return Settings(app_id="stream-test", broker="kafka://127.0.0.1:1",
                    lists_paths=[SAMPLE_LISTS_DIR], rules_dir=REPO_RULES_DIR, data_dir=tmp_path,
                    web_port=6066, topic_partitions=1)


@pytest.fixture
async def harness(settings: Settings) -> AsyncIterator[tuple[Any, HeldPublisher, Outputs]]:
    app = faust.App(settings.app_id, broker=settings.broker, store="memory://",
                    value_serializer="raw", key_serializer="raw", web_enabled=False)
    publisher = HeldPublisher()
    outputs = Outputs("alerts", "results", "dlq")
    ctx = WorkerContext(app=app, settings=settings, topics=make_topics(app, settings),
                        state=load_screening_state(settings), publisher=publisher,
                        outputs=outputs, windows=None, readiness=None)
    decode = json_decoder(settings.max_message_bytes)

    @app.agent(ctx.topics.payments)
    async def screen(stream: faust.StreamT) -> None:
        await screen_batches(stream, decode, ctx)

    async with screen.test_context() as agent:
        yield agent, publisher, outputs


async def _wait_for(condition: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_agent_publishes_results_alerts_and_dead_letters(harness: Any) -> None:
    agent, publisher, outputs = harness
    flagged = FLAGGED["DEMO-2016-001"]
    clean = CLEAN["DEMO-2016-101"]
    for payment in (flagged, clean):
        await agent.put(json.dumps(payment).encode(), key=payment["payment_id"].encode())
    await agent.put(b"\x00not json", key=b"junk")
    await _wait_for(lambda: len(publisher.sent) == 4)
    publisher.release()

    results = [ScreeningResult.model_validate(r) for r in publisher.of(outputs.results)]
    assert sorted(r.payment_id for r in results) == sorted([flagged["payment_id"],
                                                            clean["payment_id"]])
    alerts = [Alert.model_validate(a) for a in publisher.of(outputs.alerts)]
    assert [a.payment_id for a in alerts] == [flagged["payment_id"]]
    letters = [DeadLetter.model_validate(d) for d in publisher.of(outputs.dlq)]
    assert [(d.key, d.error_type) for d in letters] == [("junk", "json")]
    keys = {k for t, k, _ in publisher.sent if t != outputs.dlq}
    assert keys == {flagged["payment_id"].encode(), clean["payment_id"].encode()}


async def test_events_are_acked_only_after_their_sends_complete(harness: Any) -> None:
    agent, publisher, _ = harness
    payment = CLEAN["DEMO-2016-102"]
    event = await agent.put(json.dumps(payment).encode(), key=b"k1", wait=False)
    bad = await agent.put(b"{", key=b"k2", wait=False)
    await _wait_for(lambda: len(publisher.sent) == 2)
    await asyncio.sleep(0.2)
    # the broker has not acknowledged the result or the dead letter: nothing is acked
    assert not event.message.acked and not bad.message.acked
    publisher.release()
    await _wait_for(lambda: event.message.acked and bad.message.acked)


async def test_the_next_batch_is_screened_while_the_broker_holds_the_previous(
        harness: Any) -> None:
    agent, publisher, outputs = harness
    first = await agent.put(json.dumps(CLEAN["DEMO-2016-103"]).encode(), key=b"k1", wait=False)
    await _wait_for(lambda: len(publisher.sent) == 1)
    second = await agent.put(json.dumps(CLEAN["DEMO-2016-104"]).encode(), key=b"k2", wait=False)
    # the first batch's result is not acknowledged, yet the second batch is screened and sent
    await _wait_for(lambda: len(publisher.sent) == 2)
    publisher.release(1)
    await asyncio.sleep(0.2)
    # the second batch's result is acknowledged, but the first batch comes first
    assert not first.message.acked and not second.message.acked
    publisher.release(0)
    await _wait_for(lambda: first.message.acked and second.message.acked)


async def test_a_stop_acks_the_batches_the_broker_then_acknowledges(harness: Any) -> None:
    agent, publisher, _ = harness
    event = await agent.put(json.dumps(CLEAN["DEMO-2016-105"]).encode(), key=b"k1", wait=False)
    await _wait_for(lambda: len(publisher.sent) == 1)
    asyncio.get_running_loop().call_later(0.3, publisher.release)
    await agent.stop()  # cancels the agent while its batch is in flight
    assert publisher.futures[0].done()  # the stop waited for the broker's acknowledgement
    assert event.message.acked
