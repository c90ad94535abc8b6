"""Batch processing of raw records, shared by every payment agent: decode, screen, publish.

How a format agent uses it (pacs.008, MT103, or any other wire format): register an agent
that calls `streams.worker.agents.screen_stream(stream, decode, ctx, source)`, which runs
this module's `queue_records` on every batch and acks the batch's events once the broker
has acknowledged its outputs::

    @ctx.app.agent(topic, name="screen-pacs008")
    async def screen_pacs008(stream):
        await screen_stream(stream, decode_pacs008, ctx, "pacs008")

`decode` turns the bytes of one record into the payments it carries; it raises
PaymentDecodeError (or FormatError) with a reason and an error_type for anything it cannot
convert. `queue_records` checks the size limit, calls `decode`, screens each payment, and
queues on the producer an alert when flagged, a result for every payment, and a dead
letter for every record (or payment) it cannot screen; its `confirm` coroutine completes
only once the broker has acknowledged every one of those messages, so the caller may then
ack the batch's events (the agents do so through streams/worker/inflight.py, which lets
the next batch be screened meanwhile). `process_records` is both halves, one batch at a time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from streams.errors import PaymentDecodeError
from streams.models import Payment
from streams.pipeline import (
    Outcome,
    PaymentScreener,
    dead_letter_key,
    decode_payment,
    make_dead_letter,
)

__all__ = [
    "BatchReport",
    "Headers",
    "Outgoing",
    "Outputs",
    "PaymentDecoder",
    "Publisher",
    "QueuedBatch",
    "RawRecord",
    "confirm_all",
    "dead_letter",
    "decode_or_dead_letter",
    "json_decoder",
    "outcome_messages",
    "process_records",
    "queue_all",
    "queue_outgoing",
    "queue_records",
    "records_from_events",
    "screen_records",
    "screening_failed",
]

log = logging.getLogger(__name__)

#: How many unexpected failures a BatchReport keeps for its log line.
MAX_NOTED_FAILURES = 3
#: Pauses between attempts to publish messages the producer gave up on.
RETRY_FIRST_PAUSE_SECONDS = 0.5
RETRY_MAX_PAUSE_SECONDS = 5.0

#: Turns the bytes of one record into the payments it carries, or raises PaymentDecodeError.
PaymentDecoder = Callable[[bytes], list[Payment]]


class RawRecord(NamedTuple):
    """One consumed record: where it came from and its untouched key and value.

    Named tuples, like Outgoing: one of each per payment, at a third of a frozen dataclass's
    cost to make.
    """

    topic: str
    partition: int | None
    offset: int | None
    key: bytes | None
    value: bytes | None
    received: float  # time.perf_counter() when the batch was taken

    @property
    def where(self) -> str:
        """`topic[partition]@offset`, for log lines and error messages."""
        return f"{self.topic}[{self.partition}]@{self.offset}"


@dataclass(frozen=True, slots=True)
class Outputs:
    """The names of the topics a worker publishes to."""

    alerts: str
    results: str
    dlq: str


#: Kafka record headers: (name, value) pairs.
Headers = tuple[tuple[str, bytes], ...]


class Outgoing(NamedTuple):
    """One message to publish: topic, key, JSON value and (rarely) headers."""

    topic: str
    key: bytes | None
    value: bytes
    headers: Headers = ()


@dataclass(slots=True)
class BatchReport:
    """What one batch did, for metrics and tests."""

    records: int = 0
    screened: int = 0
    forwarded: int = 0  # payments sent on to the repartition topic (stage 1 of two)
    alerts: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    dead_letters: Counter[str] = field(default_factory=Counter)  # by error_type
    ruleset_version: str = ""
    latencies_ms: list[float] = field(default_factory=list)
    alert_rules: Counter[tuple[str, str]] = field(default_factory=Counter)  # (rule, severity)
    stage_seconds: dict[str, float] = field(default_factory=dict)  # "screen", "publish"
    failures: list[str] = field(default_factory=list)  # "where: why" of the first bugs hit

    def note_failure(self, record: RawRecord, error: PaymentDecodeError) -> None:
        """Keep the first few decoder or screener failures (bugs, not bad input) for a log line."""
        if len(self.failures) < MAX_NOTED_FAILURES:
            self.failures.append(f"{record.where}: {error.reason}")


class PartitionScope(Protocol):
    """State scoped by input partition (the window store): told each record's partition first."""

    def bind(self, partition: int | None) -> None: ...

    def drain(self) -> list[Awaitable[Any]]: ...


class Publisher(Protocol):
    """Hands one message to the producer; the returned awaitable completes on broker ack.

    Only messages with headers (the repartition hop's) are sent with a `headers` argument.
    """

    async def send(self, topic: str, key: bytes | None, value: bytes) -> Awaitable[Any]: ...


async def _send(publisher: Publisher, message: Outgoing) -> Awaitable[Any]:
    if message.headers:  # only ProducerPublisher-like publishers take headers
        send: Any = publisher.send
        sent: Awaitable[Any] = await send(message.topic, message.key, message.value,
                                          headers=message.headers)
        return sent
    return await publisher.send(message.topic, message.key, message.value)


def json_decoder(max_bytes: int) -> PaymentDecoder:
    """The decoder of the main payments topic: one JSON payment per record."""

    def decode(raw: bytes) -> list[Payment]:
        return [decode_payment(raw, max_bytes=max_bytes)]

    return decode


def records_from_events(events: Iterable[Any], received: float | None = None) -> list[RawRecord]:
    """RawRecords from Faust events (anything with a `.message` carrying topic and offset)."""
    now = time.perf_counter() if received is None else received
    records = []
    for event in events:
        message = event.message
        records.append(RawRecord(
            topic=message.topic, partition=message.partition, offset=message.offset,
            key=message.key, value=message.value, received=now,
        ))
    return records


def dead_letter(record: RawRecord, error: PaymentDecodeError, outputs: Outputs) -> Outgoing:
    """The dead letter of one record: its bytes as they came (UTF-8 text, else base64).

    It is published with the record's key, or the first bytes of a key too long to publish
    (the same bytes the letter keeps: dead_letter_key).
    """
    letter = make_dead_letter(
        record.value, error, topic=record.topic, partition=record.partition,
        offset=record.offset, key=record.key,
    )
    return Outgoing(outputs.dlq, dead_letter_key(record.key), letter.model_dump_json().encode())


def _decode_record(record: RawRecord, decode: PaymentDecoder, max_bytes: int) -> list[Payment]:
    raw = record.value
    if raw is None:
        raise PaymentDecodeError("record has no value", "empty")
    if len(raw) > max_bytes:
        raise PaymentDecodeError(
            f"record is {len(raw)} bytes, over the {max_bytes}-byte limit", "too_large"
        )
    payments = decode(raw)
    if not payments:
        raise PaymentDecodeError("record carries no payment", "empty")
    return payments


def decode_or_dead_letter(
    record: RawRecord, decode: PaymentDecoder, max_bytes: int, outputs: Outputs,
    outgoing: list[Outgoing], report: BatchReport,
) -> list[Payment] | None:
    """The record's payments, or None after appending its dead letter to `outgoing`."""
    try:
        return _decode_record(record, decode, max_bytes)
    except PaymentDecodeError as exc:
        outgoing.append(dead_letter(record, exc, outputs))
        report.dead_letters[exc.error_type] += 1
    except Exception as exc:  # a decoder bug must not kill the agent either
        error = PaymentDecodeError(f"decoder failed: {type(exc).__name__}: {exc}", "decode_error")
        outgoing.append(dead_letter(record, error, outputs))
        report.dead_letters[error.error_type] += 1
        report.note_failure(record, error)
    return None


def screen_records(
    records: Sequence[RawRecord],
    decode: PaymentDecoder,
    screener: PaymentScreener,
    outputs: Outputs,
    *,
    max_bytes: int,
    scope: PartitionScope | None = None,
) -> tuple[list[Outgoing], BatchReport]:
    """The messages a batch produces: every record gives results or a dead letter, never nothing."""
    report = BatchReport(records=len(records), ruleset_version=screener.ruleset_version)
    outgoing: list[Outgoing] = []
    for record in records:
        payments = decode_or_dead_letter(record, decode, max_bytes, outputs, outgoing, report)
        if payments is None:
            continue
        if scope is not None:
            scope.bind(record.partition)
        for payment in payments:
            try:
                outcome = screener.screen(payment, started=record.received)
            except Exception as exc:  # noqa: BLE001 - dead-lettered with the reason
                screening_failed(record, payment, exc, outputs, outgoing, report)
                continue
            outcome_messages(payment, outcome, outputs, outgoing, report)
    return outgoing, report


def screening_failed(record: RawRecord, payment: Payment, exc: Exception, outputs: Outputs,
                     outgoing: list[Outgoing], report: BatchReport) -> None:
    """Dead-letter a payment whose screening raised (a bug, not bad input), with the reason."""
    error = PaymentDecodeError(
        f"screening payment {payment.payment_id} failed: {type(exc).__name__}: {exc}",
        "screening_error",
    )
    outgoing.append(dead_letter(record, error, outputs))
    report.dead_letters[error.error_type] += 1
    report.note_failure(record, error)


def outcome_messages(payment: Payment, outcome: Outcome, outputs: Outputs,
                     outgoing: list[Outgoing], report: BatchReport) -> None:
    """Append a screened payment's alert (when flagged) and result, keyed by payment_id."""
    key = payment.payment_id.encode()
    alert = outcome.alert
    if alert is not None:
        outgoing.append(Outgoing(outputs.alerts, key, alert.model_dump_json().encode()))
        report.alerts += 1
        for rule_id in {hit.rule_id for hit in alert.hits}:
            report.alert_rules[(rule_id, alert.severity)] += 1
    result = outcome.result
    outgoing.append(Outgoing(outputs.results, key, result.model_dump_json().encode()))
    report.screened += 1
    report.decisions[result.decision] += 1
    report.latencies_ms.append(result.latency_ms)


async def queue_all(messages: Sequence[Outgoing], publisher: Publisher) -> list[Awaitable[Any]]:
    """Hand every message to the producer, in order; their delivery futures, unawaited.

    A publisher with a `send_many(messages)` (the worker's) queues them all in one call.
    """
    send_many = getattr(publisher, "send_many", None)
    if send_many is not None:
        queued: list[Awaitable[Any]] = await send_many(messages)
        return queued
    return [await _send(publisher, m) for m in messages]


async def confirm_all(
    messages: Sequence[Outgoing], pending: Sequence[Awaitable[Any]], publisher: Publisher,
    also: Sequence[Awaitable[Any]] = (),
) -> None:
    """Wait until the broker has acknowledged every queued message (and `also`).

    `pending` are the delivery futures of `messages` (queue_all). A message the producer
    gives up on (its own retries exhausted) is sent again after a pause, for as long as it
    takes: the batch is not acked until everything is out.
    """
    outcomes = await asyncio.gather(*pending, *also, return_exceptions=True)
    failed = [m for m, outcome in zip(messages, outcomes, strict=False)
              if isinstance(outcome, BaseException)]
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    pause = RETRY_FIRST_PAUSE_SECONDS
    while failed or errors:
        for error in errors:
            if isinstance(error, asyncio.CancelledError):
                raise error
        log.warning("%d of %d messages not acknowledged (%s); sending them again in %.1f s",
                    len(failed), len(messages), errors[0], pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, RETRY_MAX_PAUSE_SECONDS)
        retry = [await _send(publisher, m) for m in failed]
        outcomes = await asyncio.gather(*retry, return_exceptions=True)
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        failed = [m for m, outcome in zip(failed, outcomes, strict=False)
                  if isinstance(outcome, BaseException)]


@dataclass(slots=True)
class QueuedBatch:
    """A screened batch whose messages are all queued on the producer, in order.

    `confirm` completes once the broker has acknowledged all of them (and the window
    store's writes); until then the batch's events must not be acked.
    """

    report: BatchReport
    confirm: Coroutine[Any, Any, None]
    queued: float  # time.perf_counter() when the first message was queued


async def queue_outgoing(messages: Sequence[Outgoing], report: BatchReport,
                         publisher: Publisher, scope: PartitionScope | None = None
                         ) -> QueuedBatch:
    """Queue a screened batch's messages; the confirmation also awaits the scope's writes."""
    queued = time.perf_counter()
    pending = await queue_all(messages, publisher)
    also = scope.drain() if scope is not None else []
    return QueuedBatch(report, confirm_all(messages, pending, publisher, also), queued)


async def queue_records(
    records: Sequence[RawRecord],
    decode: PaymentDecoder,
    screener: PaymentScreener,
    publisher: Publisher,
    outputs: Outputs,
    *,
    max_bytes: int,
    scope: PartitionScope | None = None,
) -> QueuedBatch:
    """Screen a batch and queue its alerts, results and dead letters, without awaiting acks.

    `scope` (the window store) is bound to each record's partition before its payments are
    screened; the state changes it queued are awaited by the confirmation, with the messages.
    """
    started = time.perf_counter()
    messages, report = screen_records(
        records, decode, screener, outputs, max_bytes=max_bytes, scope=scope
    )
    report.stage_seconds = {"screen": time.perf_counter() - started}
    return await queue_outgoing(messages, report, publisher, scope)


async def process_records(
    records: Sequence[RawRecord],
    decode: PaymentDecoder,
    screener: PaymentScreener,
    publisher: Publisher,
    outputs: Outputs,
    *,
    max_bytes: int,
    scope: PartitionScope | None = None,
) -> BatchReport:
    """Screen a batch and publish its alerts, results and dead letters; returns after broker acks.

    One batch at a time (queue_records, then its confirmation); the agents overlap batches
    with streams.worker.inflight.InFlightBatches instead.
    """
    batch = await queue_records(records, decode, screener, publisher, outputs,
                                max_bytes=max_bytes, scope=scope)
    await batch.confirm
    batch.report.stage_seconds["publish"] = time.perf_counter() - batch.queued
    return batch.report
