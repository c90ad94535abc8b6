"""Throughput on the embedded broker: a no-op decoding agent, the full worker, two workers.

The full worker runs with the default `window_partitioning="repartition"` (two hops through
the broker, exact windows across workers) and with "local" (one hop). Every full worker
starts with cold caches, the names and parties of the burst new to it, except the one of
`full_warm_*`, which first screens twice as many payments unmeasured (as a long-running
worker would have).

Each figure is measured while a warmed-up group drains a burst of payments (startup and
group joins excluded); the ratios compare figures taken in the same run on the same
machine. Run alone with `python -m benchmarks.stream_throughput [N]`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.stream_workers import (
    PaymentSource,
    default_lists,
    drain_rate,
    noop_drain_rate,
    start_group,
    warm_up,
)
from streams.broker import EmbeddedBroker

#: Alternate measurements of the no-op agent and of the full worker, compared by their means.
ROUNDS = 2


async def noop_rate(broker: EmbeddedBroker, source: PaymentSource, n: int) -> float:
    """(a) payments per second of a Faust agent that only decodes."""
    group = await start_group(broker, 1, source.lists_paths, noop=True)
    try:
        already = await warm_up(group, source, noop=True)
        return await noop_drain_rate(group, source.batch(n), already)
    finally:
        group.stop()


async def full_rate(broker: EmbeddedBroker, source: PaymentSource, n: int, workers: int = 1,
                    warm_payments: int = 0, **settings: str) -> tuple[float, int]:
    """(b) payments per second of `workers` full screening workers, and their peak RSS.

    `warm_payments`: screened first, unmeasured, so that the name and rule caches are as
    full as in a long-running worker (otherwise the workers start with cold caches).
    """
    group = await start_group(broker, workers, source.lists_paths, **settings)
    try:
        await warm_up(group, source)
        if warm_payments:
            await drain_rate(group, source.batch(warm_payments))
        rate = await drain_rate(group, source.batch(n))
        return rate, group.peak_rss_bytes()
    finally:
        group.stop()


async def measure(broker: EmbeddedBroker, source: PaymentSource, n: int,
                  rounds: int = ROUNDS) -> dict[str, Any]:
    """Every throughput figure of one run.

    The no-op agent and the full worker are measured `rounds` times each, alternately, and
    compared by their means: a single no-op figure varied by a third between runs on this
    machine, which moved the ratio more than any change to the worker did.
    """
    noops, ones, rss = [], [], 0
    for _ in range(rounds):
        noops.append(await noop_rate(broker, source, n))
        rate, peak = await full_rate(broker, source, n)
        ones.append(rate)
        rss = max(rss, peak)
    noop, one = sum(noops) / rounds, sum(ones) / rounds
    # the same worker after 2n payments: the generator's names and parties mostly seen
    warm, rss_warm = await full_rate(broker, source, n, warm_payments=2 * n)
    local, rss_local = await full_rate(broker, source, n, window_partitioning="local")
    two, rss_two = await full_rate(broker, source, n, workers=2)
    return {
        "payments": n,
        "noop_rounds_per_second": [round(r) for r in noops],
        "full_rounds_per_second": [round(r) for r in ones],
        "noop_per_second": round(noop),
        "full_per_second": round(one),
        "full_over_noop": round(one / noop, 3),
        "full_warm_per_second": round(warm),
        "full_warm_over_noop": round(warm / noop, 3),
        "full_local_per_second": round(local),
        "full_local_over_noop": round(local / noop, 3),
        "two_workers_per_second": round(two),
        "two_over_one": round(two / one, 3),
        "peak_rss_mb": round(max(rss, rss_warm, rss_local, rss_two) / 2**20, 1),
    }


def main(argv: Sequence[str] = ()) -> dict[str, Any]:
    """Run on a fresh embedded broker and print the figures."""
    n = int(argv[0]) if argv else 20_000
    lists_paths: list[Path] = default_lists()
    with EmbeddedBroker() as broker:
        figures = asyncio.run(measure(broker, PaymentSource(lists_paths), n))
    figures["lists"] = [str(p) for p in lists_paths]
    for name, value in figures.items():
        print(f"{name:>24}: {value}")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
