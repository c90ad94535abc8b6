"""CPU per payment of the worker's own work, without Kafka or Faust: from cold caches, warm.

    python -m benchmarks.worker_core [--payments 30000] [--lists PATH ...] [--repeat 3]

Runs `screen_or_forward_records`, what a worker's payments agent does with each batch of 500
records (decode, screen, build the alert, result and forwarded messages), over generated
payments, as in the throughput benchmark: first with a fresh screener (every name and party
new to it: a worker that just started), then again over the same payments (a worker that
has seen them). The decoding alone, which the no-op agent of the throughput benchmark does
too, is timed beside them. CPU time of this process, best of `--repeat` runs of each.

The throughput ratio of the streaming benchmark is (no-op CPU) / (no-op CPU + this cost
minus the decoding + publishing): these figures say how much of the worker's cost is its
own and how much of that comes from caches still cold.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.stream_workers import PaymentSource, default_lists
from streams import build_info
from streams.assembly import lists_paths_for, screener_for
from streams.pipeline import decode_payment
from streams.rules.loader import RuleSet, load_ruleset
from streams.rules.window import InMemoryWindowStore
from streams.screening.listset import ListSet, load_lists
from streams.settings import REPO_RULES_DIR
from streams.worker.agents import BATCH_SIZE
from streams.worker.candidates import WindowRouter, screen_or_forward_records
from streams.worker.processing import Outputs, RawRecord, json_decoder

MAX_BYTES = 1_000_000
OUTPUTS = Outputs(alerts="alerts", results="results", dlq="dlq")


def _records(values: Sequence[bytes]) -> list[RawRecord]:
    now = time.perf_counter()
    return [RawRecord("payments", 0, offset, None, value, now)
            for offset, value in enumerate(values)]


def forget_module_caches() -> None:
    """Empty every module-level cache of the package (token similarities, normal forms, ...):
    what a fresh worker process starts with, before its screener is built."""
    for name, module in list(sys.modules.items()):
        if name == "streams" or name.startswith("streams."):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def cold_and_warm(lists: ListSet, ruleset: RuleSet, values: Sequence[bytes]
                  ) -> tuple[float, float, int]:
    """CPU seconds per payment from cold caches and over the same payments again; messages."""
    forget_module_caches()  # or the later repeats would start with the first one's
    router = WindowRouter(InMemoryWindowStore())
    screener = screener_for(lists, ruleset, router)
    decode = json_decoder(MAX_BYTES)
    seconds, messages = [], 0
    for _ in ("cold", "warm"):
        records = _records(values)
        messages = 0
        started = time.process_time()
        for i in range(0, len(records), BATCH_SIZE):
            out, _ = screen_or_forward_records(records[i:i + BATCH_SIZE], decode, screener,
                                               router, OUTPUTS, "forward", max_bytes=MAX_BYTES)
            messages += len(out)
        seconds.append((time.process_time() - started) / len(values))
    return seconds[0], seconds[1], messages


def decode_only(values: Sequence[bytes]) -> float:
    """CPU seconds per payment of decoding alone (the no-op agent's work)."""
    started = time.process_time()
    for value in values:
        decode_payment(value, max_bytes=MAX_BYTES)
    return (time.process_time() - started) / len(values)


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    """Generate payments, time the three ways, print microseconds per payment."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=30_000)  # as the throughput figures
    parser.add_argument("--lists", type=Path, nargs="*", default=None)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args(argv)
    lists_paths = args.lists or default_lists()
    lists = load_lists(lists_paths_for(lists_paths, REPO_RULES_DIR))
    ruleset = load_ruleset(REPO_RULES_DIR)
    # the throughput benchmark's payments (its first burst)
    values = [value for _, value in PaymentSource(lists_paths).batch(args.payments)]
    gc.freeze()  # the lists, as a worker freezes them (streams/worker/tuning.py)
    cold = warm = decoding = float("inf")
    messages = 0
    for _ in range(args.repeat):
        run_cold, run_warm, messages = cold_and_warm(lists, ruleset, values)
        cold, warm = min(cold, run_cold), min(warm, run_warm)
        decoding = min(decoding, decode_only(values))
    figures = {"cold_us": cold * 1e6, "warm_us": warm * 1e6, "decode_us": decoding * 1e6}
    print(f"lists: {', '.join(str(p) for p in lists_paths)}; {args.payments} generated "
          f"payments ({messages} messages), batches of {BATCH_SIZE}, best of {args.repeat}; "
          f"{build_info.describe()} build")
    print(f"decode only (the no-op agent's work): {figures['decode_us']:6.1f} us CPU per payment")
    print(f"worker core, cold caches:             {figures['cold_us']:6.1f} us CPU per payment")
    print(f"worker core, warm caches:             {figures['warm_us']:6.1f} us CPU per payment")
    print(f"of which first sight (cold - warm):   {figures['cold_us'] - figures['warm_us']:6.1f}")
    return figures


if __name__ == "__main__":
    main()
