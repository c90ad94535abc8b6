"""InFlightBatches: batches overlap on the broker, their events are acked in batch order.

No broker: each batch's confirmation is a future the test completes (or the real
processing.confirm_all over a publisher that fails once), and `ack` records what was acked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from streams.worker.inflight import InFlightBatches, Offsets, RepeatFilter
from streams.worker.processing import Outgoing, confirm_all, queue_all


@dataclass(frozen=True)
class Message:
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class Event:
    message: Message


class Acks:
    """Records the offsets acked, in order."""

    def __init__(self) -> None:
        self.acked: list[int] = []

    async def __call__(self, event: Event) -> None:
        self.acked.append(event.message.offset)


def batch(*numbers: int, partition: int = 0) -> tuple[list[Event], Offsets]:
    found = [Event(Message("p", partition, n)) for n in numbers]
    return found, {("p", partition): max(numbers)}


async def held(future: asyncio.Future[None]) -> None:
    await future


def futures(count: int) -> list[asyncio.Future[None]]:
    loop = asyncio.get_running_loop()
    return [loop.create_future() for _ in range(count)]


async def settle() -> None:
    """Let every ready task run (acking a batch takes a few steps of the event loop)."""
    for _ in range(50):
        await asyncio.sleep(0)


async def test_events_are_acked_in_batch_order_whatever_order_the_broker_confirms() -> None:
    acks, repeats = Acks(), RepeatFilter()
    in_flight = InFlightBatches(acks, repeats, limit=4)
    first, second, third = futures(3)
    for confirm, offsets in ((first, (1, 2)), (second, (3, 4)), (third, (5,))):
        events, seen = batch(*offsets)
        in_flight.add(held(confirm), events, seen)
    # taken as soon as queued, so the next batch skips repeats; acked only later
    assert (repeats.taken, repeats.acked) == ({("p", 0): 5}, {})
    third.set_result(None)
    second.set_result(None)
    await settle()
    assert acks.acked == []  # the oldest batch's outputs are not acknowledged yet
    assert repeats.acked == {}
    first.set_result(None)
    await settle()
    assert acks.acked == [1, 2, 3, 4, 5]
    assert len(in_flight) == 0
    assert repeats.acked == {("p", 0): 5}
    await in_flight.close()


async def test_a_confirmed_oldest_batch_is_acked_without_waiting_for_more() -> None:
    acks = Acks()
    in_flight = InFlightBatches(acks, RepeatFilter(), limit=4)
    [confirm] = futures(1)
    observed: list[int] = []
    events, seen = batch(7)
    in_flight.add(held(confirm), events, seen, lambda: observed.append(len(acks.acked)))
    confirm.set_result(None)
    await settle()  # nothing else is added: the acker acks it on its own
    assert acks.acked == [7]
    assert observed == [1]  # counted once acked, not before
    await in_flight.close()


async def test_at_most_limit_batches_are_in_flight() -> None:
    acks = Acks()
    in_flight = InFlightBatches(acks, RepeatFilter(), limit=2)
    confirms = futures(3)
    for n in (0, 1):
        await in_flight.wait_for_room()
        in_flight.add(held(confirms[n]), *batch(n))
    waiting = asyncio.ensure_future(in_flight.wait_for_room())
    await settle()
    assert not waiting.done()  # full: the agent waits for the oldest
    with pytest.raises(RuntimeError, match="no room"):
        in_flight.add(held(confirms[2]), *batch(2))
    confirms[1].set_result(None)
    await settle()
    assert not waiting.done()  # a younger batch confirmed does not free a place
    confirms[0].set_result(None)
    await asyncio.wait_for(waiting, 1)
    assert acks.acked == [0, 1]
    await in_flight.close()


class FailsOncePublisher:
    """The first attempt at `results` fails after a while; everything else succeeds at once."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    async def send(self, topic: str, key: bytes | None, value: bytes) -> asyncio.Future[None]:
        self.attempts.append(topic)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        if topic == "results" and self.attempts.count("results") == 1:
            loop.call_later(0.02, future.set_exception, TimeoutError("broker did not answer"))
        else:
            future.set_result(None)
        return future


async def test_a_batch_resent_after_a_failure_is_acked_after_the_resend_and_first(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("streams.worker.processing.RETRY_FIRST_PAUSE_SECONDS", 0.05)
    acks, publisher = Acks(), FailsOncePublisher()
    in_flight = InFlightBatches(acks, RepeatFilter(), limit=4)
    failing = [Outgoing("results", b"P1", b"{}")]
    in_flight.add(confirm_all(failing, await queue_all(failing, publisher), publisher),
                  *batch(1))
    fine = [Outgoing("alerts", b"P2", b"{}")]
    in_flight.add(confirm_all(fine, await queue_all(fine, publisher), publisher), *batch(2))
    await asyncio.sleep(0.04)  # the first send failed, the second batch is acknowledged
    assert publisher.attempts == ["results", "alerts"]
    assert acks.acked == []
    for _ in range(100):
        if acks.acked:
            break
        await asyncio.sleep(0.01)
    assert publisher.attempts == ["results", "alerts", "results"]  # sent again
    assert acks.acked == [1, 2]
    await in_flight.close()


async def test_a_confirmation_that_raises_stops_all_acking_and_reaches_the_agent() -> None:
    acks, repeats = Acks(), RepeatFilter()
    in_flight = InFlightBatches(acks, repeats, limit=2)
    broken, later = futures(2)
    events, seen = batch(1, 2)
    in_flight.add(held(broken), events, seen)
    in_flight.add(held(later), *batch(3))
    waiting = asyncio.ensure_future(in_flight.wait_for_room())  # full: the agent waits
    later.set_result(None)
    broken.set_exception(ValueError("a bug"))
    with pytest.raises(RuntimeError, match="never acknowledged"):
        await asyncio.wait_for(waiting, 1)
    assert acks.acked == []  # neither the failed batch nor the one after it
    await in_flight.close()
    assert repeats.taken == {}  # dropped unacked: a redelivery is screened again
    assert len(in_flight) == 0


async def test_close_waits_for_the_batches_in_flight_and_acks_them() -> None:
    acks = Acks()
    in_flight = InFlightBatches(acks, RepeatFilter(), limit=4, grace_seconds=5)
    confirms = futures(2)
    in_flight.add(held(confirms[0]), *batch(1))
    in_flight.add(held(confirms[1]), *batch(2))
    loop = asyncio.get_running_loop()
    loop.call_later(0.05, confirms[1].set_result, None)
    loop.call_later(0.1, confirms[0].set_result, None)
    await in_flight.close()
    assert acks.acked == [1, 2]


async def test_close_leaves_batches_unacked_after_the_grace_period() -> None:
    acks, repeats = Acks(), RepeatFilter()
    in_flight = InFlightBatches(acks, repeats, limit=4, grace_seconds=0.05)
    confirms = futures(2)
    _, acked_before = batch(0)
    repeats.mark_queued(acked_before)
    repeats.mark_acked(acked_before)
    in_flight.add(held(confirms[0]), *batch(1))
    in_flight.add(held(confirms[1]), *batch(2))
    confirms[1].set_result(None)
    await in_flight.close()
    assert acks.acked == []
    assert repeats.taken == {("p", 0): 0}  # back to the last acked offset


async def test_cancelled_again_while_closing_leaves_the_rest_unacked() -> None:
    acks = Acks()
    in_flight = InFlightBatches(acks, RepeatFilter(), limit=4, grace_seconds=5)
    confirms = futures(2)
    in_flight.add(held(confirms[0]), *batch(1))
    in_flight.add(held(confirms[1]), *batch(2))

    async def agent() -> None:
        try:
            await asyncio.sleep(10)  # taking the next batch when the stop comes
        finally:
            await in_flight.close()

    task = asyncio.ensure_future(agent())
    await settle()
    task.cancel()  # the stop: close() starts waiting
    await settle()
    confirms[0].set_result(None)
    await settle()
    assert acks.acked == [1]  # acked while closing
    task.cancel()  # a second cancellation: give up on the rest
    with pytest.raises(asyncio.CancelledError):
        await task
    assert confirms[1].cancelled()  # its confirmation was given up
    await settle()
    assert acks.acked == [1]
    assert len(in_flight) == 0


def test_at_least_one_batch_must_fit() -> None:
    with pytest.raises(ValueError):
        InFlightBatches(Acks(), RepeatFilter(), limit=0)


async def test_events_are_acked_each_once_in_order_while_the_agent_keeps_adding() -> None:
    acks = Acks()
    in_flight = InFlightBatches(acks, RepeatFilter(), limit=3)
    confirms = futures(6)
    for n, confirm in enumerate(confirms):
        await in_flight.wait_for_room()
        in_flight.add(held(confirm), *batch(n))
        if n % 2:
            for pending in confirms[: n + 1]:
                if not pending.done():
                    pending.set_result(None)
    for pending in confirms:
        if not pending.done():
            pending.set_result(None)
    await in_flight.close()
    assert acks.acked == list(range(6))


async def test_after_the_stream_ends_one_cancellation_is_waited_through() -> None:
    acks = Acks()
    in_flight = InFlightBatches(acks, RepeatFilter(), limit=4, grace_seconds=5)
    [confirm] = futures(1)
    in_flight.add(held(confirm), *batch(1))
    # Faust ends the agent's stream, then cancels its task: the batch is still acked
    task = asyncio.ensure_future(in_flight.close(absorb_cancel=True))
    await settle()
    task.cancel()
    await settle()
    assert not task.done()
    confirm.set_result(None)
    with pytest.raises(asyncio.CancelledError):  # the cancellation is passed on once done
        await task
    assert acks.acked == [1]
