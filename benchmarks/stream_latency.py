"""Produce-to-result latency at a fixed offered rate, on the embedded broker.

A warmed-up worker receives payments at `rate` per second for `seconds`; the latency of a
payment is the time from just before its send to the arrival of its screening result at a
consumer in this process (one clock). Run alone with
`python -m benchmarks.stream_latency [RATE] [SECONDS] [SETTING=VALUE ...]`. The worker first
gets WARM_SECONDS at the same rate, unmeasured, so that its caches are as warm as in a
long-running worker.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from benchmarks.stream_workers import (
    PARTITIONS,
    PaymentSource,
    default_lists,
    start_group,
    warm_up,
)
from streams.broker import EmbeddedBroker
from streams.harness import collect, create_topics, produce
from streams.worker.repartition import repartition_topic_name

WARM_SECONDS = 5.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def p99_by_third(latencies: Sequence[float]) -> list[float]:
    """The p99 of the first, middle and last third of the latencies, in arrival order.

    The embedded broker's fetches take longer the more record batches a partition holds
    (tests/integration/test_tansu_defects.py), so on it the last third is the slowest.
    """
    third = len(latencies) // 3
    return [round(percentile(latencies[i * third:(i + 1) * third], 99), 1) for i in range(3)]


async def measure(broker: EmbeddedBroker, source: PaymentSource, rate: float = 1000.0,
                  seconds: float = 10.0, **settings: str) -> dict[str, Any]:
    """p50, p99 and max produce-to-result latency in ms, and the worker's peak RSS.

    `in_worker_*` is the `latency_ms` the worker stamps on each result: from the moment its
    batch was taken off the stream to the end of screening, the part of the latency that
    is streams' own code rather than broker round trips. For a window candidate (forwarded
    through the repartition topic, `window_candidates` of them) it runs from stage 1's
    receipt, so it includes that extra round trip; `direct_*` are the figures of the other
    payments (a forward the collector had not read yet when the last result came counts as
    direct, so `window_candidates` is a lower bound). `to_screened_*`: from the send to the
    end of screening (the result's `screened_at`): the inbound hop, batch wait and screening.
    """
    group = await start_group(broker, 1, source.lists_paths, **settings)
    try:
        await warm_up(group, source)
        # a few seconds at the offered rate first: the name caches fill as in a long-running
        # worker, and the start-up backlog of cold caches is not what is measured
        await produce(broker.bootstrap, group.topics.payments,
                      source.batch(int(rate * WARM_SECONDS)), rate=rate)
        records = source.batch(int(rate * seconds))
        sent_at: dict[str, float] = {}
        latencies: list[float] = []
        in_worker: list[float] = []
        forwarded: set[str] = set()  # window candidates: through the repartition topic
        by_payment: dict[str, tuple[float, float]] = {}  # latency and in_worker, in ms
        to_screened: list[float] = []  # send -> end of screening (wall clock)
        wall_offset = time.time() - time.perf_counter()
        # read only in repartition mode: subscribing would create it in local mode
        repartition = settings.get("window_partitioning", "repartition") == "repartition"
        hop_topic = repartition_topic_name(group.app_id)
        read = [group.topics.results, hop_topic] if repartition else [group.topics.results]

        def on_sent(key: bytes | None, now: float) -> None:
            sent_at[(key or b"").decode()] = now

        def on_record(topic: str, value: dict[str, Any], now: float) -> None:
            payment_id = value.get("payment_id", "")
            if topic == hop_topic:
                forwarded.add(payment_id)
                return
            started = sent_at.pop(payment_id, None)
            if started is not None:
                latencies.append((now - started) * 1000)
                in_worker.append(float(value.get("latency_ms", 0.0)))
                screened = datetime.fromisoformat(value["screened_at"]).timestamp()
                to_screened.append((screened - wall_offset - started) * 1000)
                by_payment[payment_id] = (latencies[-1], in_worker[-1])

        collector = asyncio.create_task(collect(
            broker.bootstrap, read,
            lambda _: len(latencies) >= len(records), timeout=seconds + 120,
            on_record=on_record))
        await asyncio.sleep(1.0)  # the collector is assigned and polling before the first send
        await produce(broker.bootstrap, group.topics.payments, records, rate=rate,
                      on_sent=on_sent)
        await collector
        if len(latencies) < len(records):
            raise RuntimeError(f"only {len(latencies)} of {len(records)} results arrived")
        # classified at the end: the collector may read a result before its forward
        direct = [v for k, v in by_payment.items() if k not in forwarded]
        return {
            "offered_per_second": rate,
            "latency_payments": len(records),
            "latency_p50_ms": round(percentile(latencies, 50), 1),
            "latency_p99_ms": round(percentile(latencies, 99), 1),
            "latency_max_ms": round(max(latencies), 1),
            "latency_p99_by_third_ms": p99_by_third(latencies),
            "in_worker_p50_ms": round(percentile(in_worker, 50), 1),
            "in_worker_p99_ms": round(percentile(in_worker, 99), 1),
            "to_screened_p50_ms": round(percentile(to_screened, 50), 1),
            "to_screened_p99_ms": round(percentile(to_screened, 99), 1),
            "window_candidates": len(latencies) - len(direct),
            "direct_p99_ms": round(percentile([d[0] for d in direct], 99), 1),
            "direct_in_worker_p99_ms": round(percentile([d[1] for d in direct], 99), 1),
            "peak_rss_mb": round(group.peak_rss_bytes() / 2**20, 1),
        }
    finally:
        group.stop()


async def broker_floor(broker: EmbeddedBroker, source: PaymentSource, rate: float = 1000.0,
                       seconds: float = 10.0) -> dict[str, Any]:
    """p50/p99 of one bare broker hop (producer -> broker -> consumer) at the same rate.

    A payment makes at least two such hops (in, and its result out), so this is the floor
    under the worker's figures on this broker and machine. Like the worker's payments topic,
    the topic first gets WARM_SECONDS of the same load unmeasured, so that its partitions
    hold as many record batches as the worker's while it is measured (the embedded broker's
    fetches slow down as they grow).
    """
    topic = f"latency-floor-{time.monotonic_ns()}"
    await create_topics(broker.bootstrap, [topic], PARTITIONS)
    unmeasured = int(rate * WARM_SECONDS)
    records = source.batch(unmeasured + int(rate * seconds))
    measured = len(records) - unmeasured
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    sent = 0

    def on_sent(key: bytes | None, now: float) -> None:
        nonlocal sent
        sent += 1
        if sent > unmeasured:
            sent_at[(key or b"").decode()] = now

    def on_record(_: str, value: dict[str, Any], now: float) -> None:
        started = sent_at.pop(value.get("payment_id", ""), None)
        if started is not None:
            latencies.append((now - started) * 1000)

    collector = asyncio.create_task(collect(
        broker.bootstrap, [topic], lambda _: len(latencies) >= measured,
        timeout=WARM_SECONDS + seconds + 60, on_record=on_record))
    await asyncio.sleep(1.0)
    await produce(broker.bootstrap, topic, records, rate=rate, on_sent=on_sent)
    await collector
    return {"broker_hop_p50_ms": round(percentile(latencies, 50), 1),
            "broker_hop_p99_ms": round(percentile(latencies, 99), 1),
            "broker_hop_p99_by_third_ms": p99_by_third(latencies)}


def main(argv: Sequence[str] = ()) -> dict[str, Any]:
    """Run on a fresh embedded broker and print the figures."""
    rate = float(argv[0]) if argv else 1000.0
    seconds = float(argv[1]) if len(argv) > 1 else 10.0
    settings = dict(arg.split("=", 1) for arg in argv[2:])  # e.g. window_partitioning=local
    lists_paths = default_lists()
    with EmbeddedBroker() as broker:
        source = PaymentSource(lists_paths)
        figures = asyncio.run(measure(broker, source, rate, seconds, **settings))
        figures.update(asyncio.run(broker_floor(broker, source, rate, seconds)))
    figures["lists"] = [str(p) for p in lists_paths]
    for name, value in figures.items():
        print(f"{name:>20}: {value}")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
