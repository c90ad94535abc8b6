"""Shared machinery of the streaming benchmarks: payments, worker processes, warm-up, drains."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
from streams.harness import warm_up as harness_warm_up
from streams.screening.listset import load_lists
from streams.settings import SAMPLE_LISTS_DIR

SHARED_LISTS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "lists"
PARTITIONS = 8
Record = tuple[bytes, bytes]


def default_lists() -> list[Path]:
    """The full real lists when ../shared is present, else the shipped sample."""
    return [SHARED_LISTS_DIR] if (SHARED_LISTS_DIR / "sdn.csv").is_file() else [SAMPLE_LISTS_DIR]


@dataclass
class PaymentSource:
    """Encoded payments from the generator, with fresh ids for every batch asked for."""

    lists_paths: Sequence[Path]
    flagged_share: float = 0.05
    seed: int = 2016
    _batches: int = 0
    _entities: list = field(default_factory=list)  # type: ignore[type-arg]

    def __post_init__(self) -> None:
        self._entities = list(load_lists(list(self.lists_paths)).entities())

    def batch(self, n: int) -> list[Record]:
        """`n` payments as (key, JSON value) records."""
        self._batches += 1
        generator = PaymentGenerator(self._entities, seed=self.seed + self._batches,
                                     flagged_share=self.flagged_share,
                                     id_prefix=f"B{self._batches}")
        return [(g.payment["payment_id"].encode(), json.dumps(g.payment).encode())
                for g in generator.take(n)]


@dataclass
class Group:
    """Worker processes of one consumer group and the topics they use."""

    broker: EmbeddedBroker
    topics: TopicNames
    workers: list[WorkerProcess]
    web_ports: list[int]
    workdir: Path | None = None
    app_id: str = ""  # the workers' consumer group

    def stop(self) -> list[int | None]:
        """Stop every worker (SIGTERM, then SIGKILL) and remove their files; the exit codes."""
        codes = [w.stop() for w in self.workers]
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return codes

    def peak_rss_bytes(self) -> int:
        """The largest peak resident memory among the workers."""
        return max((w.peak_rss_bytes() or 0) for w in self.workers)


async def start_group(broker: EmbeddedBroker, count: int, lists_paths: Sequence[Path],
                      *, noop: bool = False, workdir: Path | None = None,
                      **settings: str) -> Group:
    """Create fresh topics and start `count` workers (or one no-op worker) in one group.

    `settings` are extra worker settings by field name, e.g. window_partitioning="local".
    """
    suffix = uuid.uuid4().hex[:8]
    topics = TopicNames.unique(suffix)
    await create_topics(broker.bootstrap, topics.all(), PARTITIONS)
    workdir = workdir or Path(tempfile.mkdtemp(prefix="streams-bench-"))
    workers, ports = [], []
    for i in range(count):
        port = free_port()
        env = worker_env(broker.url, f"bench-{suffix}", topics, web_port=port,
                         data_dir=workdir / f"data-{i}", lists_paths=lists_paths,
                         log_level="warning", **settings)
        command = [sys.executable, "-m", "benchmarks.noop_worker"] if noop else None
        worker = (WorkerProcess(env, workdir / f"worker-{i}.log", command=command) if command
                  else WorkerProcess(env, workdir / f"worker-{i}.log"))
        workers.append(worker.start())
        ports.append(port)
    return Group(broker, topics, workers, ports, workdir, f"bench-{suffix}")


def noop_progress(worker: WorkerProcess) -> list[tuple[int, float]]:
    """(decoded so far, time) after each batch, from the no-op worker's output."""
    return [(int(m.group(1)), float(m.group(2))) for m in
            re.finditer(r'\{"count": (\d+), "t": ([0-9.]+)\}', worker.log_text())]


async def warm_up(group: Group, source: PaymentSource, *, noop: bool = False,
                  timeout: float = 120.0) -> int:
    """Send small bursts until every worker screens (the no-op one decodes); the count sent."""
    if not noop:
        return await harness_warm_up(group.broker.bootstrap, group.topics.payments,
                                     group.web_ports, source.batch, workers=group.workers,
                                     timeout=timeout)
    sent = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent += await produce(group.broker.bootstrap, group.topics.payments, source.batch(64))
        await asyncio.sleep(1.0)
        progress = noop_progress(group.workers[0])
        if progress and progress[-1][0] >= sent:
            return sent
    raise RuntimeError(f"no-op worker not decoding after {timeout:.0f} s")


async def drain_rate(group: Group, records: Sequence[Record], *, timeout: float = 600.0
                     ) -> float:
    """Payments per second while the group screens `records` sent as fast as possible."""
    ids = {key.decode() for key, _ in records}
    seen: list[float] = []

    def on_record(topic: str, value: dict, now: float) -> None:  # type: ignore[type-arg]
        if value.get("payment_id") in ids:
            ids.discard(value["payment_id"])
            seen.append(now)

    collector = asyncio.create_task(collect(
        group.broker.bootstrap, [group.topics.results], lambda _: not ids,
        timeout=timeout, on_record=on_record))
    await produce(group.broker.bootstrap, group.topics.payments, records)
    produced = time.perf_counter()
    await collector
    if ids:
        raise RuntimeError(f"{len(ids)} payments without a result after {timeout:.0f} s")
    return _backlog_rate(seen, produced)


def _backlog_rate(times: Sequence[float], produced: float) -> float:
    """Records per second after the producer finished, while the rest was still a backlog.

    The producer shares the two cores with the workers while it runs; counting only what is
    screened after it stopped measures the workers alone.
    """
    after = [t for t in times if t >= produced]
    if len(after) < max(100, len(times) // 10):
        raise RuntimeError("the backlog drained before the producer finished: send more")
    return (len(after) - 1) / (after[-1] - after[0])


async def noop_drain_rate(group: Group, records: Sequence[Record], already: int,
                          timeout: float = 600.0) -> float:
    """Payments per second the no-op worker decodes while it drains `records`."""
    await produce(group.broker.bootstrap, group.topics.payments, records)
    produced = time.time()
    target = already + len(records)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = noop_progress(group.workers[0])
        if progress and progress[-1][0] >= target:
            after = [(c, t) for c, t in progress if t >= produced]
            if len(after) < 3 or after[0][0] > target - max(100, len(records) // 10):
                raise RuntimeError("the backlog drained before the producer finished")
            (c0, t0), (c1, t1) = after[0], after[-1]
            return (c1 - c0) / (t1 - t0)
        await asyncio.sleep(0.5)
    raise RuntimeError("no-op worker did not finish")
