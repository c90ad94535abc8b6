"""The repartition hop that makes windowed totals exact across workers.

Payments arrive keyed by `payment_id` (a public contract), so one debtor's payments land on
many partitions and, with several workers, in several processes. With
`Settings.window_partitioning = "repartition"` (the default) a window candidate takes two hops:

1. stage 1 (the payments, pacs.008 and MT103 agents) decodes and validates each record, dead-
   letters what it cannot read, screens each payment with a probe window store and publishes
   the outcome of every payment that reached no windowed condition (streams/worker/
   candidates.py); it forwards the window candidates as canonical JSON to
   `<app_id>-payments-by-debtor`, keyed by `streams.rules.routing_key(payment)` (a hash of
   the debtor that names nobody). The record carries the wall-clock time stage 1 took it in
   the `streams-received-at` header. (`forward_records` forwards every valid payment: the
   fallback of a context without a window router.)
2. stage 2 reads that topic and screens: every payment of one debtor is on one of its
   partitions, so the window table, whose changelog partition is the stage-2 input
   partition, holds the debtor's whole window on one worker, and it follows that partition
   to whichever worker takes it over after a rebalance or a restart.

Both stages ack a batch only once everything it produced is acknowledged by the broker, so
each hop is at least once and so is the whole path.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from streams.models import Payment
from streams.rules.window import routing_key
from streams.worker.processing import (
    BatchReport,
    Outgoing,
    Outputs,
    PaymentDecoder,
    RawRecord,
    decode_or_dead_letter,
    records_from_events,
)

__all__ = [
    "RECEIVED_HEADER",
    "forward_records",
    "forwarded_records",
    "received_at",
    "repartition_topic_name",
]

#: Header of a forwarded payment: when stage 1 took its record (Unix seconds, as ASCII).
RECEIVED_HEADER = "streams-received-at"


def repartition_topic_name(app_id: str) -> str:
    """The internal topic between the two stages, one per app (consumer group)."""
    return f"{app_id}-payments-by-debtor"


def forward_message(payment: Payment, topic: str, received: float) -> Outgoing:
    """One payment as stage 1 forwards it: canonical JSON, keyed by its debtor's routing key.

    `received` is the time.perf_counter() reading of its record's receipt; the header carries
    it as wall-clock time.
    """
    received_wall = received + time.time() - time.perf_counter()
    stamp = ((RECEIVED_HEADER, f"{received_wall:.6f}".encode("ascii")),)
    return Outgoing(topic, routing_key(payment).encode("ascii"),
                    payment.model_dump_json().encode("utf-8"), stamp)


def forward_records(
    records: Sequence[RawRecord],
    decode: PaymentDecoder,
    outputs: Outputs,
    topic: str,
    *,
    max_bytes: int,
) -> tuple[list[Outgoing], BatchReport]:
    """Stage 1 of a batch: a forwarded payment for every valid payment, else a dead letter."""
    report = BatchReport(records=len(records))
    outgoing: list[Outgoing] = []
    for record in records:
        payments = decode_or_dead_letter(record, decode, max_bytes, outputs, outgoing, report)
        if payments is None:
            continue
        for payment in payments:
            outgoing.append(forward_message(payment, topic, record.received))
            report.forwarded += 1
    return outgoing, report


def received_at(headers: Mapping[str, bytes] | Iterable[tuple[str, bytes]] | None
                ) -> float | None:
    """The stage-1 receipt time a forwarded record carries, or None when it has none."""
    if not headers:
        return None
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in pairs:
        if name == RECEIVED_HEADER and value:
            try:
                return float(value.decode("ascii"))
            except (UnicodeDecodeError, ValueError):
                return None
    return None


def forwarded_records(events: Sequence[Any]) -> list[RawRecord]:
    """Stage-2 RawRecords whose `received` is stage 1's receipt, so latency spans both hops.

    The header holds stage 1's wall clock; it is turned into this process's perf_counter
    scale. A receipt in the future (clock skew between hosts) counts as now.
    """
    now, wall = time.perf_counter(), time.time()
    records = records_from_events(events, now)
    stamped = []
    for record, event in zip(records, events, strict=True):
        at = received_at(getattr(event.message, "headers", None))
        if at is not None:
            record = record._replace(received=now - max(0.0, wall - at))
        stamped.append(record)
    return stamped
