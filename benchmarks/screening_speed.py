"""Screening speed against the brute-force floor, measured in one run on one core.

    python -m benchmarks.screening_speed [--lists PATH ...] [--eval FILE] [--every N]

The floor is rapidfuzz `process.cdist` with `token_sort_ratio` (and rapidfuzz's default
processor) of every query against every listed name, with one worker. Both sides screen
the same queries; the report gives CPU per name, the ratio, single-name latency, index build
time, resident memory and, for the floor, the recall it reaches at its own best threshold
that keeps false positives at or under 0.2 %. A lean screener (benchmarks.lean_screener:
token blocking and rapidfuzz, nothing else) is measured the same way at several blocking
caps, for scale: the CPU a plain Python design spends for the recall it keeps.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from streams import build_info
from streams.screening.listset import load_lists
from streams.screening.screener import Screener

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_DIR.parent / "shared" / "data"
LEAN_CAPS = (5, 20, 50, 200)  # names a token may be held by and still block (lean screener)


def resident_mb() -> float:
    """This process's resident memory in MiB (Linux /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def floor_run(rows: Sequence[dict[str, object]], names: Sequence[str],
              keys: Sequence[str]) -> tuple[float, list[float]]:
    """CPU seconds of the brute-force floor (cdist only) and each row's deciding score.

    The deciding score is, for a positive, the best score of its expected entry's names and,
    for a negative, the best score of any name.
    """
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    queries = [str(r["query"]) for r in rows]
    columns: dict[str, list[int]] = {}
    for column, key in enumerate(keys):
        columns.setdefault(key, []).append(column)
    spent = 0.0
    deciding: list[float] = []
    for start in range(0, len(queries), 500):
        cpu = time.process_time()
        matrix = process.cdist(queries[start:start + 500], names, scorer=fuzz.token_sort_ratio,
                               processor=utils.default_process, workers=1, dtype=np.float32)
        spent += time.process_time() - cpu
        for offset, row in enumerate(rows[start:start + 500]):
            expect = row["expect"]
            if expect is None:
                deciding.append(float(matrix[offset].max()))
            else:
                wanted = columns.get(str(expect), [])
                deciding.append(float(matrix[offset, wanted].max()) if wanted else 0.0)
    return spent, deciding


def deciding_scores(rows: Sequence[dict[str, object]],
                     best: Sequence[dict[str, float]]) -> list[float]:
    """Each row's deciding score from the best score per entry (see floor_run)."""
    return [max(by_entry.values(), default=0.0) if row["expect"] is None
            else by_entry.get(str(row["expect"]), 0.0)
            for row, by_entry in zip(rows, best, strict=True)]


def lowest_family(rows: Sequence[dict[str, object]], deciding: Sequence[float],
                  threshold: float) -> tuple[str, float]:
    """The positive family with the lowest recall at a threshold, and that recall."""
    counts: dict[str, list[int]] = {}
    for row, score in zip(rows, deciding, strict=True):
        if row["expect"] is not None:
            seen = counts.setdefault(str(row.get("family", "?")), [0, 0])
            seen[0] += 1
            seen[1] += score >= threshold
    return min(((family, ok / n) for family, (n, ok) in counts.items()),
               key=lambda item: item[1], default=("-", 0.0))


def lean_run(rows: Sequence[dict[str, object]], names: Sequence[str], keys: Sequence[str],
             floor_per_name: float) -> None:
    """Measure and print the lean screener at several blocking caps."""
    from benchmarks.lean_screener import LeanScreener

    queries = [str(r["query"]) for r in rows]
    lean = LeanScreener(names, keys)  # the same index at every cap
    for cap in LEAN_CAPS:
        cpu = time.process_time()
        best = [lean.best_by_entry(query, cap) for query in queries]
        per_name = (time.process_time() - cpu) / len(queries)
        deciding = deciding_scores(rows, best)
        threshold, recall, fp = floor_recall(rows, deciding)
        family, lowest = lowest_family(rows, deciding, threshold)
        print(f"lean screener (blocking cap {cap}): {per_name * 1e6:.1f} us CPU/name "
              f"({floor_per_name / per_name:.1f}x less than the floor); best threshold "
              f"{threshold:.1f} -> recall {recall:.4f} (lowest family {family} {lowest:.4f}), "
              f"FP {fp:.4%}")


def floor_recall(rows: Sequence[dict[str, object]],
                 deciding: Sequence[float]) -> tuple[float, float, float]:
    """Best-threshold recall of the floor with false positives at or under 0.2 %."""
    negatives = sorted(s for r, s in zip(rows, deciding, strict=True) if r["expect"] is None)
    allowed = int(len(negatives) * 0.002)
    threshold = negatives[len(negatives) - 1 - allowed] + 0.01 if negatives else 0.0
    positives = [s for r, s in zip(rows, deciding, strict=True) if r["expect"] is not None]
    recall = sum(1 for s in positives if s >= threshold) / max(1, len(positives))
    fp = sum(1 for n in negatives if n >= threshold) / max(1, len(negatives))
    return threshold, recall, fp


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lists", type=Path, nargs="+", default=[SHARED_DATA / "lists"])
    parser.add_argument("--eval", type=Path, default=SHARED_DATA / "eval" / "names-dev.jsonl")
    parser.add_argument("--every", type=int, default=1, help="use every Nth eval row")
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the brute-force floor and the lean screener")
    args = parser.parse_args(argv)

    rss_before = resident_mb()
    lists = load_lists(args.lists)
    gc.collect()
    rss_lists = resident_mb()
    started = time.perf_counter()
    cpu = time.process_time()
    screener = Screener(lists)
    build_wall, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    gc.collect()
    rss_screener = resident_mb()
    print(f"lists: {', '.join(f'{k}={v}' for k, v in lists.versions().items())}; "
          f"{len(lists)} entries, {len(screener.index)} names; {build_info.describe()} build")
    print(f"index build: {build_wall:.2f} s wall, {build_cpu:.2f} s CPU; resident memory "
          f"{rss_before:.0f} MiB at start, {rss_lists:.0f} MiB with lists, "
          f"{rss_screener:.0f} MiB with the screener (+{rss_screener - rss_lists:.0f} MiB)")

    with args.eval.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()][::args.every]
    queries = [str(r["query"]) for r in rows]

    cpu = time.process_time()
    results = screener.screen_names(queries)
    batch_cpu = time.process_time() - cpu
    per_name = batch_cpu / len(queries)
    found = sum(1 for r, hits in zip(rows, results, strict=True) if r["expect"] is not None
                and r["expect"] in {f"{h.list_id}:{h.entry_id}" for h in hits})
    positives = sum(1 for r in rows if r["expect"] is not None)
    negatives = len(rows) - positives
    fps = sum(1 for r, hits in zip(rows, results, strict=True) if r["expect"] is None and hits)
    print(f"screener batch (cold cache): {len(queries)} names, {per_name * 1e6:.1f} us CPU/name, "
          f"{1 / per_name:,.0f} names/s; recall {found / max(1, positives):.4f}, "
          f"FP {fps / max(1, negatives):.4%} at threshold {screener.threshold}")

    cpu = time.process_time()
    screener.screen_names(queries)
    warm = (time.process_time() - cpu) / len(queries)
    print(f"screener batch (repeated names, cached): {warm * 1e6:.1f} us CPU/name, "
          f"{1 / warm:,.0f} names/s")

    fresh = Screener(lists)
    latencies = []
    for query in queries:
        t0 = time.perf_counter()
        fresh.screen_name(query)
        latencies.append(time.perf_counter() - t0)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"single name latency (uncached): p50 {statistics.median(latencies) * 1e6:.0f} us, "
          f"p99 {p99 * 1e6:.0f} us, max {latencies[-1] * 1e6:.0f} us")

    if args.no_floor:
        return 0
    names: list[str] = []
    keys: list[str] = []
    for entity in lists.entities():
        for name in entity.all_names():
            names.append(name)
            keys.append(entity.key)
    floor_cpu, deciding = floor_run(rows, names, keys)
    floor_per_name = floor_cpu / len(queries)
    threshold, recall, fp = floor_recall(rows, deciding)
    print(f"floor (cdist token_sort_ratio, {len(names)} names, 1 worker): "
          f"{floor_per_name * 1e6:.1f} us CPU/name; best threshold {threshold:.1f} -> "
          f"recall {recall:.4f}, FP {fp:.4%}")
    print(f"screener uses {floor_per_name / per_name:.1f}x less CPU per name than the floor "
          f"(cold cache; {floor_per_name / warm:.0f}x on repeated names)")
    lean_run(rows, names, keys, floor_per_name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
