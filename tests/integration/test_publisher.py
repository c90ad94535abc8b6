"""The worker's publisher on the embedded broker: batched sends land where single sends would."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner

from streams.broker import EmbeddedBroker
from streams.harness import create_topics
from streams.settings import Settings
from streams.worker.agents import ProducerPublisher
from streams.worker.app import build_app
from streams.worker.processing import Outgoing, queue_all

pytestmark = pytest.mark.integration

PARTITIONS = 4


async def _read_all(bootstrap: str, topics: list[str], count: int
                    ) -> dict[tuple[str, int], list[tuple[bytes | None, bytes, list]]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                fetch_max_wait_ms=50)
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in range(PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: dict[tuple[str, int], list[tuple[bytes | None, bytes, list]]] = {}
        seen = 0
        async with asyncio.timeout(30):
            while seen < count:
                for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                    for r in records:
                        found.setdefault((tp.topic, tp.partition), []).append(
                            (r.key, r.value, list(r.headers)))
                        seen += 1
        return found
    finally:
        await consumer.stop()


def test_send_many_partitions_by_key_keeps_order_and_headers(
        broker: EmbeddedBroker, unique_name: str, tmp_path: Path) -> None:
    results, alerts = f"results-{unique_name}", f"alerts-{unique_name}"
    # big enough that one partition's messages need several record batches, plus one
    # message larger than a whole batch, which travels alone
    messages = [Outgoing(results, f"P-{i:05d}".encode(), b"r" * 3000 + str(i).encode())
                for i in range(400)]
    messages += [Outgoing(alerts, b"P-00007", b"a" * 300_000, (("hop", b"1"),)),
                 Outgoing(alerts, b"P-00008", b"alert-2")]

    async def run() -> list[object]:
        await create_topics(broker.bootstrap, [results, alerts], PARTITIONS)
        app = build_app(Settings(app_id=f"pub-{unique_name}", broker=broker.url,
                                 data_dir=tmp_path, topic_partitions=PARTITIONS))
        await app.maybe_start_producer()
        try:
            futures = await queue_all(messages, ProducerPublisher(app))
            assert len(futures) == len(messages)
            return list(await asyncio.gather(*futures))
        finally:
            await app.producer.stop()

    acked = asyncio.run(run())
    assert all(metadata is not None for metadata in acked)
    found = asyncio.run(_read_all(broker.bootstrap, [results, alerts], len(messages)))

    partitioner = DefaultPartitioner()
    everything = list(range(PARTITIONS))
    expected: dict[tuple[str, int], list[tuple[bytes | None, bytes, list]]] = {}
    for m in messages:
        where = (m.topic, partitioner(m.key, everything, everything))
        expected.setdefault(where, []).append((m.key, m.value, list(m.headers)))
    assert found == expected  # same partition as a keyed send, in order, headers kept
    assert len({p for t, p in found if t == results}) == PARTITIONS
