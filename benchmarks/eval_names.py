"""Recall and false-positive rate of the screener on the name eval set, per family.

    python -m benchmarks.eval_names [--eval FILE] [--lists PATH ...] [--threshold T] [--misses N]

Exits 1 when a target is missed: recall below 0.99 overall or 0.97 in a family of positives,
or false positives above 0.2 %.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from streams.screening.evaluation import format_report, read_rows, run_eval
from streams.screening.listset import load_lists
from streams.screening.screener import DEFAULT_THRESHOLD, Screener

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_DIR.parent / "shared" / "data"
DEFAULT_EVAL = SHARED_DATA / "eval" / "names-dev.jsonl"
DEFAULT_LISTS = SHARED_DATA / "lists"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the eval and print the table; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--lists", type=Path, nargs="+", default=[DEFAULT_LISTS])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--misses", type=int, default=0, help="print up to N misses per family")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    screener = Screener(load_lists(args.lists), threshold=args.threshold)
    print(f"loaded {len(screener.index)} names in {time.perf_counter() - started:.2f} s")
    report = run_eval(screener, read_rows(args.eval))
    print(format_report(report, args.threshold))
    if args.misses:
        for name in sorted(report.families):
            for miss in report.families[name].misses[:args.misses]:
                print(f"  {name}: {miss}")
    family_ok = all(s.good / s.total >= 0.97 for n, s in report.families.items()
                    if not n.startswith("faker_"))
    ok = report.recall >= 0.99 and report.false_positive_rate <= 0.002 and family_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
