"""Minimal reproductions of embedded-broker (Tansu) defects met while testing streams.

Each test states what Kafka does; it is marked xfail while Tansu differs, with the
workaround streams uses. When one starts passing, the workaround can go.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams.broker import EmbeddedBroker
from streams.harness import create_topics

pytestmark = pytest.mark.integration


async def _fetch_latencies_ms(bootstrap: str, topic: str, partitions: int, wait_ms: int
                              ) -> list[float]:
    await create_topics(bootstrap, [topic], partitions)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, fetch_max_wait_ms=wait_ms,
                                enable_auto_commit=False)
    await producer.start()
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_end(*assigned)
        await (await producer.send(topic, b"warm-up", partition=0))
        await consumer.getone()
        latencies = []
        for i in range(10):
            started = time.perf_counter()
            await (await producer.send(topic, b"x", partition=i % partitions))
            await consumer.getone()
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.1)
        return latencies
    finally:
        await consumer.stop()
        await producer.stop()


@pytest.mark.xfail(strict=False, reason="Tansu holds a fetch over 2+ partitions for about half "
                   "of fetch_max_wait_ms although records arrived (most fetches, not all: "
                   "not strict); streams works around it with a 40 ms wait "
                   "(streams/worker/tuning.py)")
def test_a_multi_partition_fetch_returns_as_soon_as_records_arrive(tmp_path: Path) -> None:
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as own:
        latencies = asyncio.run(_fetch_latencies_ms(own.bootstrap, "fetch-many", 4,
                                                    wait_ms=3000))
    # Kafka answers once fetch_min_bytes (1) is there: a few ms, far below the 3 s wait
    assert max(latencies) < 1000, latencies


def test_a_single_partition_fetch_returns_as_soon_as_records_arrive(
        broker: EmbeddedBroker, unique_name: str) -> None:
    latencies = asyncio.run(_fetch_latencies_ms(broker.bootstrap, f"fetch1-{unique_name}", 1,
                                                wait_ms=3000))
    assert max(latencies) < 1000, latencies


async def _round_trip_ms(bootstrap: str, topic: str, times: int) -> list[float]:
    """Send one record to partition 0 and read it back, `times` times: the time of each."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                fetch_max_wait_ms=500)
    await producer.start()
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_end(partition)
        latencies = []
        for _ in range(times):
            started = time.perf_counter()
            await (await producer.send(topic, b"x", partition=0))
            await consumer.getone()
            latencies.append((time.perf_counter() - started) * 1000)
        return latencies
    finally:
        await consumer.stop()
        await producer.stop()


async def _write_single_record_batches(bootstrap: str, topic: str, count: int) -> None:
    """`count` records on partition 0, each its own batch (as a producer at a steady rate)."""
    producers = [AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0) for _ in range(8)]
    for producer in producers:
        await producer.start()

    async def write(producer: AIOKafkaProducer, records: int) -> None:
        for _ in range(records):  # one send in flight per producer: one record per batch
            await (await producer.send(topic, b"x" * 100, partition=0))

    try:
        await asyncio.gather(*(write(p, count // len(producers)) for p in producers))
    finally:
        for producer in producers:
            await producer.stop()


@pytest.mark.xfail(strict=False, reason="a Tansu fetch takes longer the more record batches "
                   "the partition holds (about 0.6 ms per 1,000 here, as if it walked them to "
                   "find the offset), so latency figures grow as a benchmark's topics fill "
                   "(docs/production.md, 'Speed')")
def test_a_fetch_takes_no_longer_on_a_long_log(broker: EmbeddedBroker,
                                               unique_name: str) -> None:
    topic = f"long-log-{unique_name}"

    async def measure() -> tuple[float, float]:
        await create_topics(broker.bootstrap, [topic], 1)
        short = sorted(await _round_trip_ms(broker.bootstrap, topic, 15))[7]
        await _write_single_record_batches(broker.bootstrap, topic, 20_000)
        long = sorted(await _round_trip_ms(broker.bootstrap, topic, 15))[7]
        return short, long

    short_ms, long_ms = asyncio.run(measure())
    # Kafka reads an offset through its index: the median round trip stays where it was
    assert long_ms < 2 * short_ms + 2.0, (short_ms, long_ms)
