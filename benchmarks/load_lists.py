"""Time and memory of loading OFAC SDN and the UN list together, against a raw-parse baseline.

    python -m benchmarks.load_lists [--lists DIR] [--repeat N]

The baseline, measured in the same run, only tokenises the same files (csv.reader over the
four SDN files, defusedxml over the UN XML) without building entities; the ratio
load / baseline is what to compare between machines. Memory is what tracemalloc sees: the
peak while loading and what the loaded ListSet keeps.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import defusedxml.ElementTree as SafeET

from streams.screening.listset import load_lists

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_LISTS = REPO_DIR.parent / "shared" / "data" / "lists"
SDN_FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")


def _baseline(folder: Path) -> int:
    """Tokenise the same files without building anything: the floor for any loader."""
    rows = 0
    for name in SDN_FILES:
        text = (folder / name).read_bytes().decode("utf-8").rstrip("\x1a")
        rows += sum(1 for _ in csv.reader(io.StringIO(text, newline="")))
    root = SafeET.fromstring((folder / "un_consolidated.xml").read_bytes())
    return rows + sum(1 for _ in root.iter())


def _median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    folder: Path = args.lists
    if not (folder / "sdn.csv").is_file():
        print(f"no sdn.csv in {folder}", file=sys.stderr)
        return 2
    paths = [folder / "sdn.csv", folder / "un_consolidated.xml"]
    baseline = _median_seconds(lambda: _baseline(folder), args.repeat)
    load = _median_seconds(lambda: load_lists(paths), args.repeat)

    gc.collect()
    tracemalloc.start()
    lists = load_lists(paths)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    entries = len(lists)
    print(f"entries loaded            {entries} ({', '.join(lists.snapshots)})")
    print(f"baseline raw parse        {baseline:.3f} s (median of {args.repeat})")
    print(f"load_lists SDN + UN       {load:.3f} s (median of {args.repeat})")
    print(f"ratio load / baseline     {load / baseline:.2f}x")
    print(f"memory held by ListSet    {held / 2**20:.1f} MiB (tracemalloc)")
    print(f"memory peak while loading {peak / 2**20:.1f} MiB (tracemalloc)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
