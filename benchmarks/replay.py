"""Replay throughput: payments per second through the PaymentScreener vs a decode-only baseline.

    python -m benchmarks.replay [--payments 5000] [--lists PATH ...] [--rules DIR] [--seed 1]

Both runs read the same generated JSON Lines file in the same process, so the ratio
(replay / decode) stays meaningful on a shared, noisy machine; the absolute rate does not.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

from streams.assembly import lists_paths_for, screener_for
from streams.generate import PaymentGenerator
from streams.replay import read_payments, replay
from streams.rules.loader import load_ruleset
from streams.screening.listset import load_lists
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR


def main(argv: list[str] | None = None) -> None:
    """Generate payments, then time decoding alone and the full replay over them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=5000)
    parser.add_argument("--lists", type=Path, nargs="*", default=[SAMPLE_LISTS_DIR])
    parser.add_argument("--rules", type=Path, default=REPO_RULES_DIR)
    parser.add_argument("--flagged-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    lists = load_lists(lists_paths_for(args.lists, args.rules))
    ruleset = load_ruleset(args.rules)
    load_seconds = time.perf_counter() - started
    generator = PaymentGenerator(list(lists.entities()), seed=args.seed,
                                 flagged_share=args.flagged_share)
    data = "".join(json.dumps(p.payment) + "\n" for p in generator.take(args.payments)).encode()

    decode_best = replay_best = float("inf")
    alerts = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        count = sum(1 for _ in read_payments(io.BytesIO(data)))
        decode_best = min(decode_best, time.perf_counter() - t0)
        screener = screener_for(lists, ruleset)  # fresh window store and name cache each run
        stats = replay(io.BytesIO(data), screener)
        replay_best = min(replay_best, stats.seconds)
        alerts = stats.alerts
    assert count == stats.payments == args.payments
    decode_rate, replay_rate = args.payments / decode_best, args.payments / replay_best
    print(f"lists: {', '.join(f'{k}={v}' for k, v in lists.versions().items())} "
          f"({len(lists)} entries, loaded with rules in {load_seconds:.2f} s)")
    print(f"ruleset {ruleset.version}: {len(ruleset.enabled_rules)} rules; "
          f"{args.payments} payments, {alerts} alerts; best of {args.repeat}")
    print(f"decode only (baseline): {decode_rate:10.0f} payments/s")
    print(f"replay (screen + rules): {replay_rate:10.0f} payments/s "
          f"= {replay_rate / decode_rate:.3f} x baseline, "
          f"{1000 * replay_best / args.payments:.3f} ms per payment")


if __name__ == "__main__":
    main()
