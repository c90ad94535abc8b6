"""Golden test: the dev eval set through the screener over the real lists (a regression fails)."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.screening.evaluation import format_report, read_rows, run_eval
from streams.screening.listset import load_lists
from streams.screening.screener import DEFAULT_THRESHOLD, Screener

EVAL_FILE = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "eval" / \
    "names-dev.jsonl"


@pytest.mark.slow
def test_dev_eval_recall_and_false_positives(shared_lists_dir: Path) -> None:
    if not EVAL_FILE.is_file():
        pytest.skip(f"eval set not found at {EVAL_FILE}")
    report = run_eval(Screener(load_lists([shared_lists_dir])), read_rows(EVAL_FILE))
    table = format_report(report, DEFAULT_THRESHOLD)
    assert report.positives > 1000 and report.negatives > 1000, table
    assert report.recall >= 0.99, table
    assert report.false_positive_rate <= 0.002, table
    for family, stats in report.families.items():
        if not family.startswith("faker_"):
            assert stats.good / stats.total >= 0.97, f"{family}\n{table}"
