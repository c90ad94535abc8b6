"""At-least-once under faults: SIGKILL a worker mid-stream, SIGTERM one, and lose nothing.

Real `streams worker` processes in one consumer group on the embedded broker. The alerts
expected are computed offline with the same lists and rules: alert ids are deterministic,
so a payment screened twice must yield the same alert id twice, never a different one.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from reliability_support import (
    LISTS,
    by_payment,
    expected_alert_ids,
    payments,
    records,
    stateless_rules,
)

from streams.broker import EmbeddedBroker, free_port
from streams.harness import (
    Collected,
    TopicNames,
    WorkerProcess,
    collect,
    create_topics,
    produce,
    warm_up,
    worker_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PARTITIONS = 8


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repo's rules minus the windowed one (see reliability_support.stateless_rules)."""
    return stateless_rules(tmp_path_factory.mktemp("reliability") / "rules")


class Group:
    """Workers of one consumer group on unique topics; restarts keep the group and topics."""

    def __init__(self, broker: EmbeddedBroker, name: str, tmp_path: Path, rules: Path) -> None:
        self.broker = broker
        self.topics = TopicNames.unique(name)
        self.app_id = f"reliability-{name}"
        self.tmp_path = tmp_path
        self.rules = rules
        self.started: list[WorkerProcess] = []
        self.ports: list[int] = []
        asyncio.run(create_topics(broker.bootstrap, self.topics.all(), PARTITIONS))

    def start(self) -> WorkerProcess:
        """One more worker of the group."""
        index = len(self.started)
        port = free_port()
        env = worker_env(self.broker.url, self.app_id, self.topics, web_port=port,
                         data_dir=self.tmp_path / f"data-{index}", lists_paths=LISTS,
                         rules_dir=self.rules, topic_partitions=str(PARTITIONS))
        worker = WorkerProcess(env, self.tmp_path / f"worker-{index}.log").start()
        self.started.append(worker)
        self.ports.append(port)
        return worker

    def warm_up(self, workers: list[WorkerProcess]) -> None:
        """Wait until every given worker has partitions and screens."""
        batches = iter(range(10_000))
        ports = [self.ports[self.started.index(w)] for w in workers]
        asyncio.run(warm_up(self.broker.bootstrap, self.topics.payments, ports,
                            lambda n: records(payments(n, f"WARM{next(batches)}", 99, 0.0)),
                            workers=workers))

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()

    def logs(self) -> str:
        return "\n".join(f"--- worker {i}\n{w.log_text()[-2500:]}"
                         for i, w in enumerate(self.started))


def _ids(collected: Collected, topic: str) -> set[str]:
    return {v.get("payment_id", "") for v in collected.of(topic)}


def _assert_duplicates_are_repeats(results: list[dict[str, Any]], alerts: list[dict[str, Any]],
                                   expected: dict[str, str], sent: set[str]) -> int:
    """Every payment screened, expected alerts present, duplicates identical; extra results."""
    results_by = by_payment(results)
    alerts_by = by_payment(alerts)
    assert sent <= set(results_by), f"{len(sent - set(results_by))} payments never screened"
    for payment_id in sent:
        outcomes = {(r["decision"], r["alert_id"]) for r in results_by[payment_id]}
        assert len(outcomes) == 1, f"{payment_id} screened differently: {outcomes}"
        alert_ids = {a["alert_id"] for a in alerts_by.get(payment_id, [])}
        if payment_id in expected:
            assert alert_ids == {expected[payment_id]}, payment_id
        else:
            assert not alert_ids, f"unexpected alert for {payment_id}"
    return sum(len(results_by[p]) - 1 for p in sent)


def test_sigkill_mid_stream_loses_nothing_and_repeats_only_the_same_alert(
        broker: EmbeddedBroker, unique_name: str, tmp_path: Path, rules_dir: Path) -> None:
    group = Group(broker, unique_name, tmp_path, rules_dir)
    generated = payments(3000, "KILL", seed=6)
    expected = expected_alert_ids(generated, rules_dir)
    sent = {g.payment["payment_id"] for g in generated}
    assert len(expected) > 100  # the test means something only with many alerts
    try:
        victim, survivor = group.start(), group.start()
        group.warm_up([victim, survivor])
        screened: set[str] = set()

        def seen(topic: str, value: dict[str, Any], now: float) -> None:
            if topic == group.topics.results:
                screened.add(value.get("payment_id", ""))

        async def scenario() -> Collected:
            topics = [group.topics.results, group.topics.alerts]
            collector = asyncio.create_task(collect(
                broker.bootstrap, topics, lambda c: sent <= _ids(c, group.topics.results),
                timeout=240, on_record=seen, settle=3.0))
            producer = asyncio.create_task(
                produce(broker.bootstrap, group.topics.payments, records(generated), rate=600))
            while len(screened & sent) < 600:
                await asyncio.sleep(0.05)
            victim.send(signal.SIGKILL)
            assert victim.wait(10) == -signal.SIGKILL
            await asyncio.sleep(3)
            group.start()  # the restarted worker rejoins the same group
            await producer
            return await collector

        collected = asyncio.run(scenario())
        assert survivor.alive(), group.logs()
        duplicates = _assert_duplicates_are_repeats(
            collected.of(group.topics.results), collected.of(group.topics.alerts),
            expected, sent)
        print(f"SIGKILL: {len(sent)} payments, {len(expected)} alerts expected, "
              f"{duplicates} results repeated after the kill")
    finally:
        group.stop_all()


def test_sigterm_finishes_commits_and_exits_zero(
        broker: EmbeddedBroker, unique_name: str, tmp_path: Path, rules_dir: Path) -> None:
    group = Group(broker, unique_name, tmp_path, rules_dir)
    first = payments(2000, "TERM", seed=7)
    expected = expected_alert_ids(first, rules_dir)
    sent = {g.payment["payment_id"] for g in first}
    try:
        worker = group.start()
        group.warm_up([worker])
        screened: set[str] = set()

        def seen(topic: str, value: dict[str, Any], now: float) -> None:
            if topic == group.topics.results:
                screened.add(value.get("payment_id", ""))

        async def stop_mid_stream() -> int | None:
            asyncio.create_task(collect(broker.bootstrap, [group.topics.results],
                                        lambda c: False, timeout=30, on_record=seen))
            await produce(broker.bootstrap, group.topics.payments, records(first))
            while len(screened & sent) < 300:
                await asyncio.sleep(0.02)
            worker.send(signal.SIGTERM)
            return await asyncio.to_thread(worker.wait, 30)

        code = asyncio.run(stop_mid_stream())
        assert code == 0, worker.log_text()[-3000:]
        assert "Traceback" not in worker.log_text()

        # a second worker takes over from the committed offsets and finishes the rest
        second = group.start()
        done = asyncio.run(collect(
            broker.bootstrap, [group.topics.results, group.topics.alerts],
            lambda c: sent <= _ids(c, group.topics.results), timeout=120))
        repeated = _assert_duplicates_are_repeats(done.of(group.topics.results),
                                                  done.of(group.topics.alerts), expected, sent)
        print(f"SIGTERM mid-stream: {len(screened & sent)} screened before the stop, "
              f"{repeated} screened again by the next worker")
        time.sleep(2)
        second.send(signal.SIGTERM)  # idle now: everything it screened gets committed
        assert second.wait(30) == 0, second.log_text()[-3000:]
        before = asyncio.run(collect(broker.bootstrap, [group.topics.results],
                                     lambda c: False, timeout=3))

        # a third worker must start after the committed offsets: nothing is screened again
        later = payments(200, "LATER", seed=8)
        later_ids = {g.payment["payment_id"] for g in later}
        group.start()
        asyncio.run(produce(broker.bootstrap, group.topics.payments, records(later)))
        after = asyncio.run(collect(
            broker.bootstrap, [group.topics.results],
            lambda c: later_ids <= _ids(c, group.topics.results), timeout=120, settle=3.0))
        assert later_ids <= _ids(after, group.topics.results)
        counts_before = Counter(r["payment_id"] for r in before.of(group.topics.results))
        counts_after = Counter(r["payment_id"] for r in after.of(group.topics.results))
        again = {p for p in sent if counts_after[p] != counts_before[p]}
        assert not again, f"{len(again)} payments screened again after a clean SIGTERM"
    finally:
        group.stop_all()
