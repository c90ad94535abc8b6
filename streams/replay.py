"""Replay: screen a file of payments offline through the same PaymentScreener the agents use.

Bad lines are reported with their line number and skipped; `compare_rulesets` shows how the
alerts of two rule sets differ on the same payments.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from streams.errors import PaymentDecodeError
from streams.formats import decode_any, detect_format
from streams.models import Alert, Payment
from streams.pipeline import Outcome, PaymentScreener, decode_payment

__all__ = ["BadLine", "Comparison", "ReplayStats", "compare_rulesets", "read_payments", "replay"]

DEFAULT_MAX_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line of the input that is not a valid payment."""

    line: int
    error: str
    error_type: str


@dataclass(slots=True)
class ReplayStats:
    """Counts and timing of one replay."""

    payments: int = 0
    alerts: int = 0
    bad_lines: int = 0
    seconds: float = 0.0
    decisions: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)  # rule id -> payments it fired on

    @property
    def payments_per_second(self) -> float:
        """Screened payments per second of wall time."""
        return self.payments / self.seconds if self.seconds > 0 else 0.0


def read_payments(stream: IO[bytes], *, max_bytes: int = DEFAULT_MAX_BYTES,
                  on_bytes: Callable[[int], None] | None = None
                  ) -> Iterator[tuple[int, Payment | BadLine]]:
    """(line number, payment or bad line) for every payment of the stream.

    A JSON Lines stream is read line by line; a pacs.008 or MT103 file is read whole (up to
    `max_bytes`) and yields every payment it carries, numbered from 1.
    """
    if _is_message_file(stream.peek(64) if hasattr(stream, "peek") else b""):
        yield from _read_message_file(stream, max_bytes=max_bytes, on_bytes=on_bytes)
        return
    for number, raw in enumerate(stream, start=1):
        if on_bytes is not None:
            on_bytes(len(raw))
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        try:
            yield number, decode_payment(line, max_bytes=max_bytes)
        except PaymentDecodeError as exc:
            yield number, BadLine(number, exc.reason, exc.error_type)


def _is_message_file(head: bytes) -> bool:
    try:
        return detect_format(head) != "json"
    except PaymentDecodeError:
        return False


def _read_message_file(stream: IO[bytes], *, max_bytes: int,
                       on_bytes: Callable[[int], None] | None
                       ) -> Iterator[tuple[int, Payment | BadLine]]:
    raw = stream.read(max_bytes + 1)
    if on_bytes is not None:
        on_bytes(len(raw))
    try:
        payments = decode_any(raw, max_bytes=max_bytes)
    except PaymentDecodeError as exc:
        yield 1, BadLine(1, exc.reason, exc.error_type)
        return
    yield from enumerate(payments, start=1)


def replay(
    stream: IO[bytes],
    screener: PaymentScreener,
    *,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
    on_bad_line: Callable[[BadLine], None] = lambda bad: None,
    on_bytes: Callable[[int], None] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ReplayStats:
    """Screen every payment of the stream in order; bad lines are reported, not fatal."""
    stats = ReplayStats()
    started = time.perf_counter()
    for _, item in read_payments(stream, max_bytes=max_bytes, on_bytes=on_bytes):
        if isinstance(item, BadLine):
            stats.bad_lines += 1
            on_bad_line(item)
            continue
        outcome = screener.screen(item)
        stats.payments += 1
        stats.decisions[outcome.result.decision] += 1
        if outcome.alert is not None:
            stats.alerts += 1
            stats.rules.update({h.rule_id for h in outcome.alert.hits})
        on_outcome(outcome)
    stats.seconds = time.perf_counter() - started
    return stats


def _signature(alert: Alert | None) -> tuple[str, str, frozenset[tuple[str, str]]] | None:
    if alert is None:
        return None
    return alert.action, alert.severity, frozenset((h.rule_id, h.role) for h in alert.hits)


@dataclass(slots=True)
class Comparison:
    """How the alerts of rule set B differ from those of rule set A on the same payments."""

    payments: int = 0
    added: list[str] = field(default_factory=list)  # payment ids alerted only under B
    removed: list[str] = field(default_factory=list)  # alerted only under A
    changed: list[str] = field(default_factory=list)  # both, different action or hits
    by_rule: dict[str, Counter[str]] = field(default_factory=dict)  # rule -> added/removed/kept

    def count(self, rule_id: str, what: str) -> None:
        """Count one payment on which `rule_id` was added, removed or kept."""
        self.by_rule.setdefault(rule_id, Counter())[what] += 1

    def report(self) -> str:
        """A plain-text summary, one line per rule."""
        lines = [f"payments: {self.payments}; alerts added: {len(self.added)}, removed: "
                 f"{len(self.removed)}, changed: {len(self.changed)}"]
        for rule_id in sorted(self.by_rule):
            c = self.by_rule[rule_id]
            lines.append(f"  {rule_id}: +{c['added']} -{c['removed']} ={c['kept']}")
        for label, ids in (("added", self.added), ("removed", self.removed),
                           ("changed", self.changed)):
            if ids:
                more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
                shown = ", ".join(ids[:10]) + more
                lines.append(f"{label}: {shown}")
        return "\n".join(lines)


def compare_rulesets(payments: list[Payment] | Iterator[Payment], base: PaymentScreener,
                     other: PaymentScreener) -> Comparison:
    """Screen each payment under both screeners and record how the alerts differ."""
    comparison = Comparison()
    for payment in payments:
        comparison.payments += 1
        a, b = base.screen(payment).alert, other.screen(payment).alert
        sig_a, sig_b = _signature(a), _signature(b)
        if sig_a is None and sig_b is not None:
            comparison.added.append(payment.payment_id)
        elif sig_a is not None and sig_b is None:
            comparison.removed.append(payment.payment_id)
        elif sig_a != sig_b:
            comparison.changed.append(payment.payment_id)
        rules_a = {h.rule_id for h in a.hits} if a else set()
        rules_b = {h.rule_id for h in b.hits} if b else set()
        for rule_id in rules_b - rules_a:
            comparison.count(rule_id, "added")
        for rule_id in rules_a - rules_b:
            comparison.count(rule_id, "removed")
        for rule_id in rules_a & rules_b:
            comparison.count(rule_id, "kept")
    return comparison


def payments_of(path: Path) -> list[Payment]:
    """The valid payments of a JSON Lines file (for comparisons)."""
    with path.open("rb") as stream:
        return [p for _, p in read_payments(stream) if isinstance(p, Payment)]
