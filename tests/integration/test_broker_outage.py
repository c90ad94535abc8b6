"""The broker goes away under a running worker: it logs, retries, and exits 69 for a restart.

The embedded broker keeps everything in memory, so a restarted broker is empty: topics,
records and committed offsets are gone, and a worker that kept its read offsets would
silently skip the new records below them. The worker does not hang or spin meanwhile: the
broker watch logs the outage once (then every 10 s); when the broker returns, or after
`STREAMS_BROKER_UNAVAILABLE_EXIT_SECONDS` without it, the worker exits with code 69 and its
supervisor (played here by the test) starts a fresh one.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from streams.broker import EmbeddedBroker, free_port
from streams.generate import PaymentGenerator
from streams.harness import (
    TopicNames,
    WorkerProcess,
    collect,
    create_topics,
    produce,
    worker_env,
)
from streams.harness import warm_up as warm_up_workers
from streams.worker.broker_watch import EXIT_BROKER_UNAVAILABLE

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PARTITIONS = 4
GIVE_UP_SECONDS = 12.0


def _records(prefix: str, n: int, seed: int) -> list[tuple[bytes | None, bytes | None]]:
    generated = PaymentGenerator(seed=seed, id_prefix=prefix).take(n)
    return [(g.payment["payment_id"].encode(), json.dumps(g.payment).encode()) for g in generated]


async def _screened(bootstrap: str, topics: TopicNames, ids: set[str], timeout: float) -> set[str]:
    collected = await collect(
        bootstrap, [topics.results],
        lambda c: ids <= {r.get("payment_id") for r in c.of(topics.results)}, timeout=timeout)
    return ids & {r.get("payment_id") for r in collected.of(topics.results)}


def _start(broker: EmbeddedBroker, unique_name: str, tmp_path: Path) -> tuple[WorkerProcess,
                                                                              TopicNames, int]:
    topics = TopicNames.unique(unique_name)
    asyncio.run(create_topics(broker.bootstrap, topics.all(), PARTITIONS))
    port = free_port()
    env = worker_env(broker.url, f"outage-{unique_name}", topics, web_port=port,
                     data_dir=tmp_path / "data", topic_partitions=str(PARTITIONS),
                     broker_unavailable_exit_seconds=str(GIVE_UP_SECONDS))
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    batches = iter(range(1000))
    asyncio.run(warm_up_workers(broker.bootstrap, topics.payments, [port],
                                lambda n: _records(f"W{next(batches)}", n, 1), workers=[worker]))
    return worker, topics, port


def test_worker_restarts_when_an_empty_broker_returns_and_then_screens(
        unique_name: str, tmp_path: Path) -> None:
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log").start()
    port = broker.port
    worker = restarted = None
    try:
        worker, topics, _ = _start(broker, unique_name, tmp_path)
        broker.stop()
        time.sleep(4)
        assert worker.alive(), worker.log_text()[-3000:]
        broker = EmbeddedBroker(port=port, log_path=tmp_path / "tansu-2.log").start()
        # the broker came back empty: the worker must not go on with its old read offsets
        code = worker.wait(30)
        log = worker.log_text()
        assert code == EXIT_BROKER_UNAVAILABLE, log[-3000:]
        assert "unreachable; retrying with backoff" in log
        assert "reachable again after" in log

        # the supervisor's part: topics again (the broker is empty), a fresh worker process
        asyncio.run(create_topics(broker.bootstrap, topics.all(), PARTITIONS))
        restarted = WorkerProcess(worker.env, tmp_path / "worker-2.log").start()
        after = _records("AFTER", 200, 7)
        asyncio.run(produce(broker.bootstrap, topics.payments, after))
        ids = {k.decode() for k, _ in after if k}
        screened = asyncio.run(_screened(broker.bootstrap, topics, ids, timeout=90))
        assert screened == ids, f"{len(ids - screened)} unscreened\n{restarted.log_text()[-3000:]}"
        assert restarted.alive()
    finally:
        for process in (worker, restarted):
            if process:
                process.stop()
        broker.stop()


def test_worker_exits_69_when_the_broker_stays_away(unique_name: str, tmp_path: Path) -> None:
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log").start()
    worker = None
    try:
        worker, _, _ = _start(broker, unique_name, tmp_path)
        broker.stop()
        code = worker.wait(GIVE_UP_SECONDS + 30)
        log = worker.log_text()
        assert code == EXIT_BROKER_UNAVAILABLE, log[-3000:]
        assert f"exiting with code {EXIT_BROKER_UNAVAILABLE}" in log
        # the repeated aiokafka connection errors are held back, not printed 10 times a second
        assert log.count("Unable connect to node") < 5 * GIVE_UP_SECONDS, log[-3000:]
    finally:
        if worker:
            worker.stop()
        broker.stop()
