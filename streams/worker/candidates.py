"""Stage 1 of the repartition path: screen every payment, forward only the window candidates.

The rule engine evaluates `all`/`any` with short-circuit and calls its WindowStore only when
a windowed condition is reached (e.g. `all: [amount in the structuring band, window ...]`).
Stage 1 screens each payment with a ProbeWindowStore (streams/rules/window.py) in place of
the real one, for that one evaluation:

- no window reached: nothing in the outcome depends on a window, and the real store would
  not have been reached either (every condition before it sees the same payment, rules and
  lists), so the outcome is final: stage 1 publishes the result, the alert, the dead
  letter, exactly as one hop in local mode;
- a window reached (a *window candidate*): stage 1 publishes nothing for it and forwards it
  to `<app_id>-payments-by-debtor`, where stage 2 screens it with the table-backed store on
  the partition owning its debtor's windows.

So the windows keyed `debtor` and `debtor_creditor` stay exact across workers while most
payments take one hop. The probe is swapped in per evaluation by WindowRouter, the store the
worker's rule engine holds; a screener rebuilt on reload keeps the router, so a windowed rule
added later is probed too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from streams.pipeline import PaymentScreener
from streams.rules.window import ProbeWindowStore, WindowStore, WindowTotals
from streams.worker.processing import (
    BatchReport,
    Outgoing,
    Outputs,
    PaymentDecoder,
    RawRecord,
    decode_or_dead_letter,
    outcome_messages,
    screening_failed,
)
from streams.worker.repartition import forward_message

__all__ = ["WindowRouter", "can_probe", "screen_or_forward_records"]


class WindowRouter:
    """The rule engine's WindowStore in a worker: the real store, or a probe while `probing`."""

    def __init__(self, real: WindowStore) -> None:
        self.real = real
        self._probe: ProbeWindowStore | None = None

    def add(self, key: str, payment_id: str, at: datetime, amount: Decimal,
            window_seconds: float) -> WindowTotals:
        """Add to the probe during `probing`, else to the real store."""
        store: WindowStore = self._probe if self._probe is not None else self.real
        return store.add(key, payment_id, at, amount, window_seconds)

    def probing(self) -> _Probing:
        """Route every `add` to a fresh probe until the block ends (even when it raises)."""
        return _Probing(self)


class _Probing:
    """The `with` block of WindowRouter.probing (a class: it runs once per payment)."""

    __slots__ = ("previous", "router")

    def __init__(self, router: WindowRouter) -> None:
        self.router = router
        self.previous: ProbeWindowStore | None = None

    def __enter__(self) -> ProbeWindowStore:
        self.previous, probe = self.router._probe, ProbeWindowStore()
        self.router._probe = probe
        return probe

    def __exit__(self, *exc: object) -> None:
        self.router._probe = self.previous


def can_probe(screener: PaymentScreener, router: WindowRouter) -> bool:
    """True unless the evaluator keeps a WindowStore other than `router` (it could not be probed).

    An evaluator without a `store` has no windows at all, so its outcomes are always final.
    """
    store = getattr(screener.evaluator, "store", None)
    return store is None or store is router


def screen_or_forward_records(
    records: Sequence[RawRecord],
    decode: PaymentDecoder,
    screener: PaymentScreener,
    router: WindowRouter,
    outputs: Outputs,
    topic: str,
    *,
    max_bytes: int,
) -> tuple[list[Outgoing], BatchReport]:
    """Stage 1 of a batch: final outcomes published, window candidates forwarded to `topic`."""
    report = BatchReport(records=len(records), ruleset_version=screener.ruleset_version)
    outgoing: list[Outgoing] = []
    probe_ok = can_probe(screener, router)  # else it cannot tell: forward, always exact
    for record in records:
        payments = decode_or_dead_letter(record, decode, max_bytes, outputs, outgoing, report)
        if payments is None:
            continue
        for payment in payments:
            if probe_ok:
                try:
                    with router.probing() as probe:
                        outcome = screener.screen(payment, started=record.received)
                except Exception as exc:  # noqa: BLE001 - dead-lettered with the reason
                    screening_failed(record, payment, exc, outputs, outgoing, report)
                    continue
                if not probe.touched:
                    outcome_messages(payment, outcome, outputs, outgoing, report)
                    continue
            outgoing.append(forward_message(payment, topic, record.received))
            report.forwarded += 1
    return outgoing, report
