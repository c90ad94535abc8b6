"""RepeatFilter: a record handed over twice in one process is screened once.

Offsets are marked when a batch's outputs are queued, not when they are acknowledged: with
batches in flight (streams/worker/inflight.py) the next batch is filtered before the
previous one is acked, and a repeat must not be screened again then. Skipping it is safe
because it is acked with its own batch, which InFlightBatches acks only after the batch
that first screened it (tests/unit/worker/test_inflight.py checks that order).
"""

from __future__ import annotations

from dataclasses import dataclass

from streams.worker.inflight import RepeatFilter


@dataclass
class Message:
    topic: str
    partition: int
    offset: int


@dataclass
class Event:
    message: Message


def events(*where: tuple[str, int, int]) -> list[Event]:
    return [Event(Message(*w)) for w in where]


def offsets(found: list[Event]) -> list[tuple[str, int, int]]:
    return [(e.message.topic, e.message.partition, e.message.offset) for e in found]


def test_a_repeat_within_a_batch_is_dropped() -> None:
    fresh, _ = RepeatFilter().fresh(events(("p", 0, 8), ("p", 1, 8), ("p", 0, 8)))
    assert offsets(fresh) == [("p", 0, 8), ("p", 1, 8)]


def test_offsets_queued_are_dropped_after_a_seek_back_before_any_ack() -> None:
    repeats = RepeatFilter()
    _, seen = repeats.fresh(events(("p", 0, 7), ("p", 0, 8)))
    repeats.mark_queued(seen)  # in flight: the broker has not acknowledged the outputs yet
    again, _ = repeats.fresh(events(("p", 0, 8), ("p", 0, 9), ("q", 0, 8)))
    assert offsets(again) == [("p", 0, 9), ("q", 0, 8)]


def test_nothing_is_remembered_until_queued() -> None:
    repeats = RepeatFilter()
    repeats.fresh(events(("p", 0, 8)))  # queueing never finished: not marked
    fresh, _ = repeats.fresh(events(("p", 0, 8)))
    assert offsets(fresh) == [("p", 0, 8)]


def test_a_batch_dropped_unacked_is_forgotten_back_to_the_last_ack() -> None:
    repeats = RepeatFilter()
    _, first = repeats.fresh(events(("p", 0, 5)))
    repeats.mark_queued(first)
    repeats.mark_acked(first)
    _, second = repeats.fresh(events(("p", 0, 6), ("p", 0, 7), ("q", 1, 3)))
    repeats.mark_queued(second)
    # its outputs never got acknowledged (the agent stopped): a redelivery is screened again
    repeats.rewind(second)
    again, _ = repeats.fresh(events(("p", 0, 5), ("p", 0, 6), ("q", 1, 3)))
    assert offsets(again) == [("p", 0, 6), ("q", 1, 3)]
