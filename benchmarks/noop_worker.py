"""The baseline of the throughput benchmark: a Faust agent that only decodes the payments.

Same app settings and batching as the real worker, no screening and no output, so the
ratio full/no-op says what screening and publishing cost. After every batch it prints one
JSON line `{"count": decoded so far, "t": wall-clock time}`:

    STREAMS_BROKER=kafka://127.0.0.1:9092 python -m benchmarks.noop_worker
"""

from __future__ import annotations

import json
import time

import faust

from streams.errors import PaymentDecodeError
from streams.pipeline import decode_payment
from streams.settings import Settings
from streams.worker.agents import BATCH_SIZE, BATCH_WAIT_SECONDS
from streams.worker.app import build_app, make_topics


def build_noop_app(settings: Settings) -> faust.App:
    """The Faust app with one agent that decodes payments in batches and counts them."""
    app = build_app(settings)
    topics = make_topics(app, settings)
    decoded = 0

    @app.agent(topics.payments)
    async def decode_only(stream: faust.StreamT[bytes]) -> None:
        nonlocal decoded
        async for batch in stream.take(BATCH_SIZE, within=BATCH_WAIT_SECONDS):
            for value in batch:
                try:
                    decode_payment(value, max_bytes=settings.max_message_bytes)
                except PaymentDecodeError:
                    pass
            decoded += len(batch)
            print(json.dumps({"count": decoded, "t": time.time()}), flush=True)

    return app


def main() -> None:
    """Run the no-op worker until stopped."""
    app = build_noop_app(Settings())
    faust.Worker(app, loglevel="WARNING", quiet=True).execute_from_commandline()


if __name__ == "__main__":
    main()
