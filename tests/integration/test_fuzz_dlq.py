"""Malformed records through a real worker: each lands in the DLQ with a reason, nothing dies.

Hypothesis draws batches of malformed records (random bytes, invalid UTF-8, deep nesting,
wrong types, extreme numbers, unusual Unicode, oversized records, tombstones) and mixes them
with valid payments; the pure decoder is fuzzed much harder in tests/unit/test_decode_fuzz.py.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from malformed_records import MALFORMED_RECORDS, VALID_PAYMENT, huge_record

from streams.broker import EmbeddedBroker, free_port
from streams.harness import (
    TopicNames,
    WorkerProcess,
    collect,
    create_topics,
    produce,
    warm_up,
    worker_env,
)
from streams.settings import SAMPLE_LISTS_DIR

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MAX_BYTES = 65_536
PARTITIONS = 4


class FuzzWorker:
    """One worker on unique topics, shared by the examples of this module."""

    def __init__(self, broker: EmbeddedBroker, name: str, tmp: Path) -> None:
        self.broker = broker
        self.topics = TopicNames.unique(name)
        asyncio.run(create_topics(broker.bootstrap, self.topics.all(), PARTITIONS))
        self.port = free_port()
        env = worker_env(broker.url, f"fuzz-{name}", self.topics, web_port=self.port,
                         data_dir=tmp / "data", lists_paths=[SAMPLE_LISTS_DIR],
                         topic_partitions=str(PARTITIONS), max_message_bytes=str(MAX_BYTES))
        self.worker = WorkerProcess(env, tmp / "worker.log").start()
        self.batches = 0
        asyncio.run(warm_up(broker.bootstrap, self.topics.payments, [self.port],
                            lambda n: [self.valid(f"WARM-{i}") for i in range(n)],
                            workers=[self.worker]))

    @staticmethod
    def valid(payment_id: str) -> tuple[bytes, bytes]:
        return payment_id.encode(), json.dumps(dict(VALID_PAYMENT, payment_id=payment_id)).encode()


@pytest.fixture(scope="module")
def fuzz_worker(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[FuzzWorker]:
    """A running worker with a 64 KiB record limit."""
    tmp = tmp_path_factory.mktemp("fuzz")
    worker = FuzzWorker(broker, tmp.name.replace("_", "-"), tmp)
    try:
        yield worker
    finally:
        worker.worker.stop()


@settings(max_examples=3, deadline=None, phases=[Phase.generate], derandomize=False,
          suppress_health_check=list(HealthCheck))
@given(st.lists(MALFORMED_RECORDS, min_size=20, max_size=40))
def test_malformed_records_land_in_the_dlq_and_valid_ones_around_them_are_screened(
        fuzz_worker: FuzzWorker, malformed: list[bytes]) -> None:
    fuzz_worker.batches += 1
    batch = fuzz_worker.batches
    bad = {f"BAD-{batch}-{i}": raw for i, raw in enumerate(malformed)}
    bad[f"BAD-{batch}-huge"] = huge_record(MAX_BYTES)
    bad[f"BAD-{batch}-tombstone"] = None  # type: ignore[assignment]
    # 1.2 MB that escapes to ~1.7 MB of JSON: its dead letter can only keep the first bytes
    bad[f"BAD-{batch}-deepest"] = b'{"a":' * 200_000 + b"1" + b"}" * 200_000
    good = dict(fuzz_worker.valid(f"GOOD-{batch}-{i}") for i in range(len(bad)))
    mixed: list[tuple[bytes | None, bytes | None]] = []
    for (bad_key, raw), (good_key, value) in zip(bad.items(), good.items(), strict=True):
        mixed += [(bad_key.encode(), raw), (good_key, value)]
    topics = fuzz_worker.topics
    asyncio.run(produce(fuzz_worker.broker.bootstrap, topics.payments, mixed))

    good_ids = {k.decode() for k in good}

    def complete(c: object) -> bool:
        screened = {r.get("payment_id") for r in c.of(topics.results)}  # type: ignore[attr-defined]
        dead = {d.get("key") for d in c.of(topics.dlq)}  # type: ignore[attr-defined]
        return good_ids <= screened and set(bad) <= dead

    collected = asyncio.run(collect(fuzz_worker.broker.bootstrap, [topics.results, topics.dlq],
                                    complete, timeout=90))
    assert fuzz_worker.worker.alive(), fuzz_worker.worker.log_text()[-3000:]
    letters = {d["key"]: d for d in collected.of(topics.dlq) if d.get("key") in bad}
    assert set(letters) == set(bad), f"missing dead letters: {set(bad) - set(letters)}"
    assert good_ids <= {r["payment_id"] for r in collected.of(topics.results)}
    for key, letter in letters.items():
        assert letter["error"] and letter["error_type"], letter
        assert letter["topic"] == topics.payments
        assert letter["partition"] is not None and letter["offset"] is not None
        raw = bad[key] or b""
        kept = (base64.b64decode(letter["raw"]) if letter["raw_encoding"] == "base64"
                else letter["raw"].encode("utf-8"))
        if key == f"BAD-{batch}-deepest" or kept != raw:  # too large for a whole dead letter
            assert raw.startswith(kept) and letter["raw_encoding"] == "base64", key
            assert f"first {len(kept)} of {len(raw)} bytes" in letter["error"], key
        else:
            assert kept == raw, key
    assert letters[f"BAD-{batch}-huge"]["error_type"] == "too_large"
    assert letters[f"BAD-{batch}-tombstone"]["error_type"] == "empty"
