"""Helpers for the worker integration tests: topic names, a worker subprocess, keyed I/O.

Unlike streams.harness.collect these keep each record's key, partition and offset, which
the end-to-end tests check.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams.broker import free_port
from streams.harness import WorkerProcess, create_topics


@dataclass(frozen=True)
class Names:
    """Unique topic names and app id for one test module."""

    suffix: str

    @property
    def app_id(self) -> str:
        return f"app-{self.suffix}"

    @property
    def topics(self) -> dict[str, str]:
        """Settings field -> topic name."""
        return {field: f"{field.removesuffix('_topic')}-{self.suffix}" for field in (
            "payments_topic", "alerts_topic", "results_topic", "dlq_topic",
            "pacs008_topic", "mt103_topic", "control_topic")}

    def __getattr__(self, name: str) -> str:
        try:
            return self.topics[f"{name}_topic"]
        except KeyError:
            raise AttributeError(name) from None


def worker_env(names: Names, broker_url: str, partitions: int, **settings: Any) -> dict[str, str]:
    """STREAMS_* variables for a worker with unique topics, a free web port and `settings`."""
    values: dict[str, Any] = {
        "broker": broker_url, "app_id": names.app_id, "topic_partitions": partitions,
        "web_port": free_port(), "reload_interval_seconds": 1, **names.topics, **settings,
    }
    env = {}
    for key, value in values.items():
        text = json.dumps([str(v) for v in value]) if isinstance(value, list) else str(value)
        env[f"STREAMS_{key.upper()}"] = text
    return env


def start_worker(names: Names, bootstrap: str, env: dict[str, str], partitions: int,
                 log_path: Path) -> WorkerProcess:
    """Create the topics, then start `streams worker` with `env`."""
    asyncio.run(create_topics(bootstrap, names.topics.values(), partitions))
    return WorkerProcess(env, log_path=log_path).start()


@dataclass(frozen=True)
class Sent:
    """Where a produced record landed."""

    key: bytes | None
    value: bytes | None
    partition: int
    offset: int


async def produce_keyed(bootstrap: str, topic: str,
                        records: Iterable[tuple[bytes | None, bytes | None]]) -> list[Sent]:
    """Send records and return where each landed."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                max_request_size=8_388_608)
    await producer.start()
    try:
        pending = [(k, v, await producer.send(topic, value=v, key=k)) for k, v in records]
        sent = []
        for key, value, future in pending:
            meta = await future
            sent.append(Sent(key, value, meta.partition, meta.offset))
        return sent
    finally:
        await producer.stop()


@dataclass
class Received:
    """Records read back: topic -> list of (key, decoded JSON value)."""

    records: dict[str, list[tuple[str | None, dict[str, Any]]]] = field(default_factory=dict)

    def values(self, topic: str) -> list[dict[str, Any]]:
        return [value for _, value in self.records.get(topic, [])]

    def keyed(self, topic: str) -> list[tuple[str | None, dict[str, Any]]]:
        return self.records.get(topic, [])


async def read_until(bootstrap: str, topics: list[str], done: Callable[[Received], bool],
                     timeout: float, settle: float = 0.0) -> Received:
    """Read `topics` from the start until `done`, then `settle` seconds more (to see extras)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    received = Received({t: [] for t in topics})
    try:
        partitions = []
        for topic in topics:
            for _ in range(100):
                ids = consumer.partitions_for_topic(topic)
                if ids:
                    break
                await consumer._client.force_metadata_update()
                await asyncio.sleep(0.1)
            partitions += [TopicPartition(topic, p) for p in sorted(ids or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + timeout
        settled_at: float | None = None
        while time.monotonic() < deadline:
            if settled_at is None and done(received):
                settled_at = time.monotonic() + settle
            if settled_at is not None and time.monotonic() >= settled_at:
                break
            batches = await consumer.getmany(timeout_ms=200)
            for tp, records in batches.items():
                for record in records:
                    key = record.key.decode() if record.key is not None else None
                    received.records[tp.topic].append((key, json.loads(record.value)))
    finally:
        await consumer.stop()
    return received


async def committed_offsets(bootstrap: str, group: str, topic: str) -> dict[int, int | None]:
    """The group's committed offset per partition of `topic`."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        return {p: await consumer.committed(TopicPartition(topic, p)) for p in sorted(partitions)}
    finally:
        await consumer.stop()
