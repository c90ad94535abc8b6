"""Process tuning of a worker that the Faust settings cannot express: fetch wait and GC.

Short fetch wait. Faust creates its aiokafka consumer with `fetch_max_wait_ms=1500` and has
no setting for it. Kafka answers a fetch as soon as any data is there, so the wait only
matters when idle; the embedded broker (Tansu) instead holds a fetch over two or more
partitions for about half the maximum wait even when records arrive meanwhile (reproduced
in tests/integration/test_tansu_defects.py), which put 0.7 s on every payment. With
FETCH_MAX_WAIT_MS a record waits at most ~20 ms there (at 1,000 payments/s, one hop, on a
shared machine: p99 ~200 ms with 40 ms against 220-440 ms with 100 ms); against Kafka an
idle worker sends at most 25 empty fetches a second.

Frozen lists. The loaded lists and name index are some 300,000 long-lived objects that
every full garbage collection walks again: 130-200 ms pauses in the middle of a batch, a
large part of the p99 latency. `freeze_loaded_state()` moves them out of the collector's sight once
they are loaded, and again after each reload (collecting the previous set first).

Scheduled full collections. What is not frozen still grows: the name caches (plans, unions
of postings, screened names) hold some 100,000 containers, and a full collection walking
them pauses 70-200 ms, each time the collector decides to (several a minute under load):
that was most of the screening p99. A worker therefore turns automatic full collections
off and runs one every FULL_COLLECTION_SECONDS from a timer, between batches; young
generations are still collected as usual, so short-lived cycles go at once.
"""

from __future__ import annotations

import gc
from typing import Any

import aiokafka
import faust
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread, Consumer

__all__ = [
    "FETCH_MAX_WAIT_MS",
    "FULL_COLLECTION_SECONDS",
    "freeze_loaded_state",
    "schedule_full_collections",
    "use_short_fetch_wait",
]

FETCH_MAX_WAIT_MS = 40
FULL_COLLECTION_SECONDS = 60.0
#: gen-1 collections before an automatic full one: never, in practice
NO_AUTOMATIC_FULL_COLLECTIONS = 1 << 30


class _ShortWaitConsumerThread(AIOKafkaConsumerThread):
    """Faust's consumer thread, creating its aiokafka consumer with a short fetch wait."""

    fetch_max_wait_ms: int = FETCH_MAX_WAIT_MS

    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = self.fetch_max_wait_ms  # read by AIOKafkaConsumer.start()
        return consumer


class _ShortWaitConsumer(Consumer):
    """Faust's aiokafka consumer with the short-wait consumer thread."""

    thread_class: type[_ShortWaitConsumerThread] = _ShortWaitConsumerThread

    def _new_consumer_thread(self) -> AIOKafkaConsumerThread:
        return self.thread_class(self, loop=self.loop, beacon=self.beacon)


def use_short_fetch_wait(app: faust.App, wait_ms: int = FETCH_MAX_WAIT_MS) -> None:
    """Make the app's consumer (created later, on start) fetch with at most `wait_ms`."""
    thread_class = type("ShortWaitConsumerThread", (_ShortWaitConsumerThread,),
                        {"fetch_max_wait_ms": wait_ms})
    consumer_class = type("ShortWaitConsumer", (_ShortWaitConsumer,),
                          {"thread_class": thread_class})
    app.transport.Consumer = consumer_class  # type: ignore[misc]  # per app, not global


def freeze_loaded_state() -> None:
    """Collect garbage once, then keep everything alive now out of later full collections.

    Call after the lists and rules are loaded and after each reload: unfreezing first lets
    the collection free the cycles of the set that was replaced.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def schedule_full_collections(app: faust.App,
                              every_seconds: float = FULL_COLLECTION_SECONDS) -> None:
    """From the app's start, run full collections on a timer instead of when gen 2 fills."""

    async def take_over_full_collections() -> None:
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, NO_AUTOMATIC_FULL_COLLECTIONS)

    async def collect_everything() -> None:
        gc.collect()

    app.task(take_over_full_collections)
    app.timer(every_seconds, name="full-garbage-collection")(collect_everything)
