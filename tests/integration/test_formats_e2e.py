"""pacs.008 and MT103 through a real `streams worker` on the embedded broker.

One worker subprocess (unique topics and group) serves the module: the 2016 payment sent
as canonical JSON, pacs.008 and MT103 to their three topics gives the same alert three
times; hostile and broken messages become dead letters naming the element or field, the
worker keeps screening, and nothing is read from disk or network.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from streams.broker import EmbeddedBroker
from streams.harness import Collected, WorkerProcess, collect, create_topics, produce
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
MAX_BYTES = 16_384
PARTITIONS = 2
TIMEOUT = 90.0


@dataclass(frozen=True)
class FormatWorker:
    """A running worker and the names of its topics."""

    bootstrap: str
    json: str
    pacs008: str
    mt103: str
    alerts: str
    results: str
    dlq: str
    process: WorkerProcess


@pytest.fixture(scope="module")
def worker(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[FormatWorker]:
    """One `streams worker` subprocess with unique topics; stopped by its pid afterwards."""
    suffix = uuid.uuid4().hex[:10]
    tmp = tmp_path_factory.mktemp("formats-worker")
    names = {kind: f"{kind}-{suffix}" for kind in
             ("payments", "pacs008", "mt103", "alerts", "results", "dlq", "control")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMS_")}
    env.update({
        "STREAMS_BROKER": broker.url,
        "STREAMS_APP_ID": f"formats-{suffix}",
        "STREAMS_PAYMENTS_TOPIC": names["payments"],
        "STREAMS_PACS008_TOPIC": names["pacs008"],
        "STREAMS_MT103_TOPIC": names["mt103"],
        "STREAMS_ALERTS_TOPIC": names["alerts"],
        "STREAMS_RESULTS_TOPIC": names["results"],
        "STREAMS_DLQ_TOPIC": names["dlq"],
        "STREAMS_CONTROL_TOPIC": names["control"],
        "STREAMS_TOPIC_PARTITIONS": str(PARTITIONS),
        "STREAMS_MAX_MESSAGE_BYTES": str(MAX_BYTES),
        "STREAMS_WEB_HOST": "127.0.0.1",
        "STREAMS_WEB_PORT": "0",
        "STREAMS_LISTS_PATHS": json.dumps([str(SAMPLE_LISTS_DIR)]),
        "STREAMS_RULES_DIR": str(REPO_RULES_DIR),
        "STREAMS_DATA_DIR": str(tmp / "data"),
    })
    asyncio.run(create_topics(broker.bootstrap, names.values(), PARTITIONS))
    process = WorkerProcess(env=env, log_path=tmp / "worker.log").start()
    try:
        yield FormatWorker(broker.bootstrap, names["payments"], names["pacs008"],
                           names["mt103"], names["alerts"], names["results"], names["dlq"],
                           process)
    finally:
        process.stop()


def read_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def send(worker: FormatWorker, topic: str, *records: tuple[bytes, bytes]) -> None:
    await produce(worker.bootstrap, topic, records)


async def wait_for(worker: FormatWorker, done: Callable[[Collected], bool], what: str
                   ) -> Collected:
    collected = await collect(worker.bootstrap, [worker.alerts, worker.results, worker.dlq],
                              done, timeout=TIMEOUT)
    if not done(collected):
        pytest.fail(f"timed out waiting for {what}; worker log:\n"
                    f"{worker.process.log_text()[-3000:]}")
    return collected


def hit_keys(alert: dict) -> list[tuple]:
    return sorted((h["rule_id"], h["role"], h["field"], h["value"], h["list"], h["entry_id"])
                  for h in alert["hits"])


async def test_same_payment_in_three_formats_gives_the_same_alert(worker: FormatWorker) -> None:
    await send(worker, worker.json, (b"DHID1609150042", read_fixture("scenario-2016.json")))
    await send(worker, worker.pacs008, (b"pacs-1", read_fixture("scenario-2016.pacs008.xml")))
    await send(worker, worker.mt103, (b"mt-1", read_fixture("scenario-2016.mt103.txt")))

    def done(c: Collected) -> bool:
        ids = [r["payment_id"] for r in c.of(worker.results)]
        return ids.count("DHID1609150042") >= 3 and len(c.of(worker.alerts)) >= 3

    collected = await wait_for(worker, done, "three results of the 2016 payment")
    alerts = [a for a in collected.of(worker.alerts) if a["payment_id"] == "DHID1609150042"]
    assert len(alerts) == 3
    assert len({a["alert_id"] for a in alerts}) == 1
    assert {a["action"] for a in alerts} == {"block"}
    assert hit_keys(alerts[1]) == hit_keys(alerts[0]) == hit_keys(alerts[2])
    results = [r for r in collected.of(worker.results) if r["payment_id"] == "DHID1609150042"]
    assert {r["alert_id"] for r in results} == {alerts[0]["alert_id"]}
    assert collected.of(worker.dlq) == []


async def test_hostile_messages_become_dead_letters(worker: FormatWorker) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as trap:
        trap.bind(("127.0.0.1", 0))
        trap.listen(5)
        port = trap.getsockname()[1]
        external_dtd = (b'<?xml version="1.0"?><!DOCTYPE Document SYSTEM '
                        b'"http://127.0.0.1:%d/pacs.dtd"><Document/>' % port)
        oversize = read_fixture("scenario-2016.pacs008.xml").replace(
            b"<Document", b"<!--" + b"x" * MAX_BYTES + b"-->\n<Document", 1)
        hostile_pacs = {
            b"bomb": (read_fixture("hostile/billion-laughs.xml"), "DTD"),
            b"xxe": (read_fixture("hostile/external-entity.xml"), "DTD"),
            b"dtd": (external_dtd, "DTD"),
            b"malformed": (read_fixture("hostile/truncated.xml"), "malformed XML"),
            b"oversize": (oversize, "byte limit"),
            b"deep": (b"<a>" * 200 + b"</a>" * 200, "nested deeper"),
            b"no-dbtr": (read_fixture("scenario-2016.pacs008.xml").replace(b"<Dbtr>", b"<X>")
                         .replace(b"</Dbtr>", b"</X>"), "CdtTrfTxInf[1]/Dbtr is missing"),
        }
        hostile_mt = {
            b"mt-missing": (read_fixture("hostile/mt103-missing-fields.txt"),
                            ":23B:, :50a:, :71A:"),
            b"mt-32a": (read_fixture("hostile/mt103-bad-32a.txt"), ":32A:"),
            b"mt-binary": (b"{1:\xff\xfe\x00", "not UTF-8"),
        }
        # the good messages go last, to the same partition, so their results prove the
        # agents survived everything before them
        await send(worker, worker.pacs008, *[(k, v) for k, (v, _) in hostile_pacs.items()],
                   (b"bomb", read_fixture("pacs008-multi.xml")))
        await send(worker, worker.mt103, *[(k, v) for k, (v, _) in hostile_mt.items()],
                   (b"mt-missing", read_fixture("mt103-unstructured.txt")))
        expected_letters = len(hostile_pacs) + len(hostile_mt)

        def done(c: Collected) -> bool:
            ids = {r["payment_id"] for r in c.of(worker.results)}
            return (len(c.of(worker.dlq)) >= expected_letters
                    and {"E2E-7001-1", "E2E-7001-2", "9d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d",
                         "REF-MT-0788"} <= ids)

        collected = await wait_for(worker, done, "dead letters and the good payments")
        readable, _, _ = select.select([trap], [], [], 0.2)
        assert readable == [], "the worker connected to the address named in the XML"

    letters = {letter["key"]: letter for letter in collected.of(worker.dlq)}
    assert len(letters) == expected_letters
    for key, (raw, needle) in {**hostile_pacs, **hostile_mt}.items():
        letter = letters[key.decode()]
        assert needle in letter["error"], (key, letter["error"])
        expected_topic = worker.pacs008 if key in hostile_pacs else worker.mt103
        assert letter["topic"] == expected_topic
        if letter["raw_encoding"] == "utf-8":
            # kept exactly as sent
            assert letter["raw"] == raw.decode()
    assert "root:" not in letters["xxe"]["error"]
    # one result per CdtTrfTxInf; the chain's second bank (FTBDKPPY, after the previous
    # instructing agent) is screened and named by its position
    results = {r["payment_id"]: r for r in collected.of(worker.results)}
    assert "9d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d" in results  # NOTPROVIDED -> UETR
    assert results["E2E-7001-1"]["decision"] == "clear"
    [alert] = [a for a in collected.of(worker.alerts) if a["payment_id"] == "E2E-7001-2"]
    assert any(h["role"] == "intermediary_agents[1]" and h["value"] == "FTBDKPPY"
               for h in alert["hits"])
    assert worker.process.alive()
