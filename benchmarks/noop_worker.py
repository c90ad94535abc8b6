"""The baseline of the throughput benchmark: a Faust agent that only decodes the payments.

Same app settings and batching as the real worker, no screening and no output, so the
ratio full/no-op says what screening and publishing cost. Prints one JSON line with the
first and last decode times once `expected` payments are decoded:

    STREAMS_BROKER=kafka://127.0.0.1:9092 python -m benchmarks.noop_worker 100000
"""

from __future__ import annotations

import json
import sys
import time

import faust

from streams.errors import PaymentDecodeError
from streams.pipeline import decode_payment
from streams.settings import Settings
from streams.worker.app import build_app, make_topics

BATCH_SIZE = 500
BATCH_WITHIN_SECONDS = 0.05


def build_noop_app(settings: Settings, expected: int, verbose: bool = False) -> faust.App:
    """The Faust app with one agent that decodes payments in batches and counts them."""
    app = build_app(settings)
    topics = make_topics(app, settings)
    state = {"count": 0, "first": 0.0, "reported": False}

    @app.agent(topics.payments)
    async def decode_only(stream: faust.StreamT[bytes]) -> None:
        async for batch in stream.take(BATCH_SIZE, within=BATCH_WITHIN_SECONDS):
            if not state["first"]:
                state["first"] = time.time()
            for value in batch:
                try:
                    decode_payment(value, max_bytes=settings.max_message_bytes)
                except PaymentDecodeError:
                    pass
            state["count"] += len(batch)
            if verbose:
                print(json.dumps({"progress": state["count"]}), flush=True)
            if state["count"] >= expected and not state["reported"]:
                state["reported"] = True
                print(json.dumps({"count": state["count"], "first": state["first"],
                                  "last": time.time()}), flush=True)

    return app


def main() -> None:
    """Run the no-op worker until stopped."""
    expected = int(sys.argv[1])
    app = build_noop_app(Settings(), expected, verbose="-v" in sys.argv[2:])
    worker = faust.Worker(app, loglevel="WARNING", quiet=True)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
