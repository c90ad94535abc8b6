"""CPU per message of the worker's batched publishing against one producer `send` per message.

    python -m benchmarks.publish_cost [MESSAGES]

On a fresh embedded broker, the worker's Faust app publishes the same keyed results (about
the size of a screening result) to an 8-partition topic: first with one `producer.send` per
message (the baseline), then with `ProducerPublisher.send_many`, alternately, best of three
each. CPU is this process's, from queueing to the broker's acknowledgement of every message.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Sequence
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from streams.broker import EmbeddedBroker
from streams.harness import create_topics
from streams.settings import Settings
from streams.worker.agents import ProducerPublisher
from streams.worker.app import build_app
from streams.worker.processing import Outgoing

PARTITIONS = 8
ROUNDS = 3


async def _cpu_per_message(messages: Sequence[Outgoing], queue: Any) -> float:
    started = time.process_time()
    futures: list[Awaitable[Any]] = await queue(messages)
    await asyncio.gather(*futures)
    return (time.process_time() - started) / len(messages)


async def measure(bootstrap: str, broker_url: str, data_dir: Path, n: int) -> dict[str, float]:
    """Best CPU seconds per message of each way, over ROUNDS alternating rounds."""
    topic = "publish-cost"
    await create_topics(bootstrap, [topic], PARTITIONS)
    app = build_app(Settings(app_id="publish-cost", broker=broker_url, data_dir=data_dir,
                             topic_partitions=PARTITIONS))
    await app.maybe_start_producer()
    publisher = ProducerPublisher(app)

    async def one_by_one(batch: Sequence[Outgoing]) -> list[Awaitable[Any]]:
        return [await publisher.send(m.topic, m.key, m.value) for m in batch]

    try:
        await publisher.send_many([Outgoing(topic, b"warm-up", b"{}")])
        best = {"send": float("inf"), "send_many": float("inf")}
        for round_ in range(ROUNDS):
            messages = [Outgoing(topic, f"R{round_}-{i:09d}".encode(), b'{"r": "' +
                                 b"x" * 380 + b'"}') for i in range(n)]
            best["send"] = min(best["send"], await _cpu_per_message(messages, one_by_one))
            best["send_many"] = min(best["send_many"],
                                    await _cpu_per_message(messages, publisher.send_many))
        return best
    finally:
        await app.producer.stop()


def main(argv: Sequence[str] = ()) -> dict[str, float]:
    """Run on a fresh embedded broker and print the figures."""
    n = int(argv[0]) if argv else 20_000
    with EmbeddedBroker() as broker, TemporaryDirectory() as data_dir:
        best = asyncio.run(measure(broker.bootstrap, broker.url, Path(data_dir), n))
    print(f"{n} messages of ~400 bytes, {PARTITIONS} partitions, best of {ROUNDS}")
    print(f"one send per message (baseline): {best['send'] * 1e6:6.2f} us CPU per message")
    print(f"send_many (the worker's):        {best['send_many'] * 1e6:6.2f} us CPU per message"
          f" = {best['send_many'] / best['send']:.2f} x baseline")
    return best


if __name__ == "__main__":
    main(sys.argv[1:])
