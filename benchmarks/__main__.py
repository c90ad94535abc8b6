"""Run every benchmark: `python -m benchmarks` from the repository root.

The list, name-screening and replay benchmarks (when present) run first, each in its own
process; then the streaming ones share one embedded broker: throughput of a no-op decoding
agent and of the full worker (and their ratio), two workers against one, and
produce-to-result latency at a fixed offered rate; the full worker is measured with the
default two-hop `window_partitioning="repartition"` and with "local" (`local_*` figures).
Figures are only comparable with those of the same run: the machine may be shared.

    python -m benchmarks [--only stream|others] [--payments N] [--rate R] [--seconds S]
                         [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import stream_latency, stream_throughput
from benchmarks.stream_workers import PaymentSource, default_lists
from streams import build_info
from streams.broker import EmbeddedBroker

OTHER_BENCHMARKS = ("load_lists", "eval_names", "screening_speed", "replay", "worker_core")
#: (figure, target, True when higher is better)
TARGETS = (
    ("full_over_noop", 0.5, True),
    ("full_local_over_noop", 0.5, True),
    ("latency_p99_ms", 100.0, False),
    ("local_latency_p99_ms", 100.0, False),
    ("peak_rss_mb", 400.0, False),
    ("two_over_one", 1.0, True),
)


def run_others() -> dict[str, int]:
    """Run each other benchmark module that exists; its exit code by name."""
    codes = {}
    for name in OTHER_BENCHMARKS:
        if importlib.util.find_spec(f"benchmarks.{name}") is None:
            continue
        print(f"\n=== benchmarks.{name}", flush=True)
        codes[name] = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"],
                                     check=False).returncode
    return codes


async def run_streaming(payments: int, rate: float, seconds: float) -> dict[str, Any]:
    """The streaming figures, on one embedded broker."""
    lists_paths = default_lists()
    source = PaymentSource(lists_paths)
    with EmbeddedBroker() as broker:
        figures = await stream_throughput.measure(broker, source, payments)
        latency = await stream_latency.measure(broker, source, rate, seconds)
        local = await stream_latency.measure(broker, source, rate, seconds,
                                             window_partitioning="local")
        floor = await stream_latency.broker_floor(broker, source, rate, seconds)
    figures["peak_rss_mb"] = max(figures["peak_rss_mb"], latency.pop("peak_rss_mb"),
                                 local.pop("peak_rss_mb"))
    figures.update(latency)
    figures.update({f"local_{name}": value for name, value in local.items()
                    if name.startswith(("latency_p", "in_worker"))})
    figures.update(floor)
    figures["lists"] = [str(p) for p in lists_paths]
    return figures


def report(figures: dict[str, Any]) -> bool:
    """Print the figures and the targets; True when every target is met."""
    print("\n=== streaming (embedded broker, 8 partitions; machine possibly shared)")
    for name, value in figures.items():
        print(f"{name:>24}: {value}")
    met = True
    print("\n=== targets")
    for name, target, higher in TARGETS:
        value = figures.get(name)
        ok = value is not None and (value >= target if higher else value <= target)
        met &= ok
        sign = ">=" if higher else "<="
        print(f"{name:>24}: {value} (target {sign} {target}) {'ok' if ok else 'MISSED'}")
    return met


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; exit 1 when one of them failed to run, 0 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--only", choices=("stream", "others"))
    parser.add_argument("--payments", type=int, default=30_000,
                        help="payments per throughput measurement")
    parser.add_argument("--rate", type=float, default=1000.0, help="offered rate for latency")
    parser.add_argument("--seconds", type=float, default=15.0, help="latency run length")
    parser.add_argument("--json", type=Path, help="also write the streaming figures here")
    args = parser.parse_args(argv)
    print(f"streams build: {build_info.describe()}", flush=True)
    failed = False
    if args.only != "stream":
        failed |= any(code != 0 for code in run_others().values())
    if args.only != "others":
        started = time.monotonic()
        figures = asyncio.run(run_streaming(args.payments, args.rate, args.seconds))
        figures["benchmark_seconds"] = round(time.monotonic() - started)
        report(figures)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
