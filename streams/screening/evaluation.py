"""Recall and false-positive rate of a screener on a name eval set (JSON lines), per family.

Positives must return their expected entry (`list_id:entry_id`) among the hits at the alert
threshold; negatives (`expect: null`) must return no hit at all. Used by
`python -m benchmarks.eval_names` and by the golden test.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from streams.screening.screener import Screener

__all__ = ["EvalReport", "FamilyStats", "format_report", "read_rows", "run_eval"]


@dataclass
class FamilyStats:
    """Counts of one family of eval rows."""

    total: int = 0
    good: int = 0  # positives found, or negatives left clear
    misses: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    """The outcome of one eval run."""

    families: dict[str, FamilyStats]
    positives: int
    found: int
    negatives: int
    false_positives: int
    seconds: float

    @property
    def recall(self) -> float:
        """Share of positives whose expected entry was among the hits."""
        return self.found / self.positives if self.positives else 1.0

    @property
    def false_positive_rate(self) -> float:
        """Share of negatives with any hit."""
        return self.false_positives / self.negatives if self.negatives else 0.0


def run_eval(screener: Screener, rows: Sequence[dict[str, object]],
             threshold: float | None = None) -> EvalReport:
    """Screen every eval row and count recall per family and false positives."""
    families: dict[str, FamilyStats] = defaultdict(FamilyStats)
    positives = found = negatives = false_positives = 0
    started = time.process_time()
    for row in rows:
        query = str(row["query"])
        expect = row.get("expect")
        hits = screener.screen_name(query, min_score=threshold)
        stats = families[str(row["family"])]
        stats.total += 1
        if expect is None:
            negatives += 1
            if hits:
                false_positives += 1
                stats.misses.append(f"{query!r} -> {hits[0].matched_name!r} {hits[0].score}")
            else:
                stats.good += 1
        else:
            positives += 1
            keys = [f"{h.list_id}:{h.entry_id}" for h in hits]
            if expect in keys:
                found += 1
                stats.good += 1
            else:
                best = f"{hits[0].matched_name!r} {hits[0].score}" if hits else "no hit"
                stats.misses.append(f"{query!r} expect {expect} got {best}")
    return EvalReport(dict(families), positives, found, negatives, false_positives,
                      time.process_time() - started)


def read_rows(path: Path) -> list[dict[str, object]]:
    """The eval rows of a JSON-lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def format_report(report: EvalReport, threshold: float) -> str:
    """A per-family table followed by the overall figures."""
    lines = [f"{'family':<24} {'rows':>6} {'ok':>6} {'rate':>8}"]
    for name in sorted(report.families):
        s = report.families[name]
        lines.append(f"{name:<24} {s.total:>6} {s.good:>6} {s.good / s.total:>8.4f}")
    lines.append(f"threshold {threshold}: recall {report.recall:.4f} ({report.found}/"
                 f"{report.positives}), false positives {report.false_positive_rate:.4%} "
                 f"({report.false_positives}/{report.negatives}), "
                 f"{report.seconds:.2f} s CPU screening")
    return "\n".join(lines)
