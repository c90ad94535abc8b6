"""RepeatFilter: a record handed over twice in one process is screened once."""

from __future__ import annotations

from dataclasses import dataclass

from streams.worker.agents import RepeatFilter


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


def test_offsets_already_published_are_dropped_after_a_seek_back() -> None:
    repeats = RepeatFilter()
    first, seen = repeats.fresh(events(("p", 0, 7), ("p", 0, 8)))
    repeats.mark(seen)
    again, _ = repeats.fresh(events(("p", 0, 8), ("p", 0, 9), ("q", 0, 8)))
    assert offsets(again) == [("p", 0, 9), ("q", 0, 8)]


def test_nothing_is_remembered_until_marked() -> None:
    repeats = RepeatFilter()
    repeats.fresh(events(("p", 0, 8)))  # publishing never finished: not marked
    fresh, _ = repeats.fresh(events(("p", 0, 8)))
    assert offsets(fresh) == [("p", 0, 8)]
