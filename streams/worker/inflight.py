"""What happens to a batch between screening and ack: in flight to the broker, acked in order.

An agent screens batch N+1 while the broker acknowledges batch N. Once every message of a
batch is queued on the producer (in order), the agent hands the batch to `InFlightBatches`
with the coroutine that awaits the broker's acknowledgements (`processing.confirm_all`,
which retries for as long as it takes) and takes the next batch. An acker task acks the
events of the oldest batch as soon as its messages are acknowledged, then the next: events
are acked strictly in batch order and never before the outputs of their batch (and of every
earlier batch) are out, so at least once holds exactly as with one batch at a time.

`RepeatFilter` drops records this process has already screened: their offsets are marked
when the batch is queued, so the next batch (screened before the previous one is acked) is
filtered too; a repeat is acked with its own batch, which is acked after the first one.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_IN_FLIGHT_BATCHES",
    "SHUTDOWN_GRACE_SECONDS",
    "InFlightBatches",
    "Offsets",
    "RepeatFilter",
]

log = logging.getLogger(__name__)

#: Batches queued on the producer and not acked yet, per agent. One broker round trip is
#: 10-40 ms on the embedded broker and a batch is taken every 10 ms or so under load, so
#: four cover a slow round trip; more would only hold more records unacked (redone after a
#: crash: at most 4 x 500) and more messages in the producer's buffer.
MAX_IN_FLIGHT_BATCHES = 4
#: On stop, how long the in-flight batches may take to be acknowledged and acked; after
#: that (or a second cancellation) they are left unacked and screened again after a restart.
SHUTDOWN_GRACE_SECONDS = 10.0

#: The last offset taken per input (topic, partition).
Offsets = dict[tuple[str, int | None], int]


class RepeatFilter:
    """Drops records this process already screened and queued the outputs of, per partition.

    After a (re)start, Faust's table recovery seeks the stream partitions back to their
    committed offsets although the consumer may already have fetched from them, so a record
    can be handed over twice (seen on Tansu: a payment screened twice right after a
    restart). Its outputs are queued already: the repeat is skipped and acked with its own
    batch, after the batch that first screened it (InFlightBatches acks in order), which
    keeps at least once and drops only repeats within one process.
    """

    def __init__(self) -> None:
        self.taken: Offsets = {}  # queued on the producer, maybe not acknowledged yet
        self.acked: Offsets = {}  # acknowledged by the broker and acked

    def fresh(self, events: Sequence[Any]) -> tuple[list[Any], Offsets]:
        """The events not screened yet, and the offsets to mark once their outputs are queued."""
        fresh: list[Any] = []
        seen: Offsets = {}
        for event in events:
            message = event.message
            where, offset = (message.topic, message.partition), message.offset
            if offset is not None:
                last = seen.get(where, self.taken.get(where))
                if last is not None and offset <= last:
                    continue
                seen[where] = offset
            fresh.append(event)
        return fresh, seen

    def mark_queued(self, seen: Offsets) -> None:
        """Remember offsets whose outputs are all queued on the producer, in order."""
        self.taken.update(seen)

    def mark_acked(self, seen: Offsets) -> None:
        """Remember offsets whose outputs the broker acknowledged (and that were acked)."""
        self.acked.update(seen)

    def rewind(self, seen: Offsets) -> None:
        """Forget what was queued but never acknowledged on these partitions (batches dropped)."""
        for where in seen:
            if where in self.acked:
                self.taken[where] = self.acked[where]
            else:
                self.taken.pop(where, None)


@dataclass(slots=True)
class _Batch:
    confirm: asyncio.Future[Any]  # done once the broker acknowledged every output
    events: Sequence[Any]
    offsets: Offsets
    on_acked: Callable[[], None] | None


class InFlightBatches:
    """Batches queued on the producer: at most `limit`, their events acked in batch order.

    `add` takes a batch whose messages are all queued and the coroutine that confirms them;
    an acker task acks each batch's events once its confirmation and every earlier batch's
    are done, then calls its `on_acked`. `close` waits (bounded) for what is in flight.
    """

    def __init__(self, ack: Callable[[Any], Awaitable[object]], repeats: RepeatFilter,
                 *, limit: int = MAX_IN_FLIGHT_BATCHES,
                 grace_seconds: float = SHUTDOWN_GRACE_SECONDS) -> None:
        if limit < 1:
            raise ValueError("at least one batch must be allowed in flight")
        self._ack = ack
        self.repeats = repeats
        self.limit = limit
        self.grace_seconds = grace_seconds
        self._batches: deque[_Batch] = deque()
        self._progress = asyncio.Event()  # a batch was acked, or the acker failed
        self._arrived = asyncio.Event()  # a batch was added
        self._acker: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None

    def __len__(self) -> int:
        return len(self._batches)

    async def wait_for_room(self) -> None:
        """Return once fewer than `limit` batches are in flight; raise if acking failed."""
        while self._failure is None and len(self._batches) >= self.limit:
            self._progress.clear()
            await self._progress.wait()
        if self._failure is not None:
            raise RuntimeError("a batch was never acknowledged") from self._failure

    def add(self, confirm: Coroutine[Any, Any, object], events: Sequence[Any],
            offsets: Offsets, on_acked: Callable[[], None] | None = None) -> None:
        """Track a batch whose messages are all queued; `confirm` awaits their broker acks."""
        if len(self._batches) >= self.limit or self._failure is not None:
            confirm.close()
            raise RuntimeError("no room for another batch: await wait_for_room() first")
        self._batches.append(_Batch(asyncio.ensure_future(confirm), events, offsets, on_acked))
        self.repeats.mark_queued(offsets)
        self._arrived.set()
        if self._acker is None:
            self._acker = asyncio.ensure_future(self._ack_in_order())

    async def _ack_in_order(self) -> None:
        while True:
            if not self._batches:
                self._arrived.clear()
                await self._arrived.wait()
                continue
            head = self._batches[0]
            await asyncio.wait([head.confirm])
            try:
                head.confirm.result()  # a failed (or cancelled) confirmation stops all acking
                for event in head.events:
                    await self._ack(event)
                self._batches.popleft()
                self.repeats.mark_acked(head.offsets)
                if head.on_acked is not None:
                    head.on_acked()
            except BaseException as exc:  # noqa: BLE001 - handed to the agent, which stops
                self._failure = exc
                self._progress.set()
                return
            self._progress.set()

    async def close(self, *, absorb_cancel: bool = False) -> None:
        """Ack what is in flight once the broker confirms it, within `grace_seconds`.

        Whatever is not acked by then (or after a failure, or when the caller is cancelled)
        is left unacked, so it is screened again after a restart, and its offsets are
        forgotten. `absorb_cancel`: keep waiting through one cancellation, raised once done
        (Faust stops an agent by ending its stream and then cancelling its task).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.grace_seconds
        absorbed: asyncio.CancelledError | None = None
        why = "cancelled while stopping"
        try:
            while self._batches and self._failure is None:
                try:
                    await asyncio.wait_for(self._drained(), max(deadline - loop.time(), 0))
                except asyncio.TimeoutError:
                    why = f"not acknowledged within {self.grace_seconds:.0f} s of the stop"
                    break
                except asyncio.CancelledError as exc:
                    if not absorb_cancel or absorbed is not None:
                        raise
                    absorbed = exc
        finally:
            self._abandon(why)
        if absorbed is not None:
            raise absorbed

    async def _drained(self) -> None:
        while self._batches and self._failure is None:
            self._progress.clear()
            await self._progress.wait()

    def _abandon(self, why: str) -> None:
        if self._failure is not None:
            log.error("acking stopped: a batch was not acknowledged; %d batches left unacked",
                      len(self._batches), exc_info=self._failure)
        elif self._batches:
            log.warning("%d batches left unacked (%s): they are screened again after a "
                        "restart", len(self._batches), why)
        if self._acker is not None:
            self._acker.cancel()
            self._acker = None
        for batch in self._batches:
            if batch.confirm.done() and not batch.confirm.cancelled():
                batch.confirm.exception()  # retrieved: the batch is dropped either way
            batch.confirm.cancel()
            self.repeats.rewind(batch.offsets)
        self._batches.clear()
