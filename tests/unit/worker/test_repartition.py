"""Stage 1 of the repartition path forwards valid payments keyed by debtor; stage 2 restamps."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from streams.models import DeadLetter, Payment
from streams.rules.window import routing_key
from streams.worker.demo_scenario import CLEAN
from streams.worker.processing import (
    Outgoing,
    Outputs,
    RawRecord,
    json_decoder,
    queue_all,
)
from streams.worker.repartition import (
    RECEIVED_HEADER,
    forward_records,
    forwarded_records,
    received_at,
    repartition_topic_name,
)

OUT = Outputs(alerts="alerts", results="results", dlq="dlq")
HOP = repartition_topic_name("app")
MAX = 4096


def payment(pid: str, debtor: str, account: str | None = None) -> bytes:
    party: dict[str, Any] = {"name": debtor}
    if account:
        party["account"] = account
    return json.dumps(dict(CLEAN["DEMO-2016-109"], payment_id=pid, debtor=party)).encode()


def record(value: bytes | None, offset: int = 0, received: float = 0.0) -> RawRecord:
    return RawRecord("payments", 1, offset, b"k", value, received=received)


def test_topic_name_is_per_app() -> None:
    assert repartition_topic_name("screening") == "screening-payments-by-debtor"


def test_valid_payments_are_forwarded_keyed_by_their_debtor() -> None:
    records = [record(payment("P1", "Northwind Sundries Ltd"), 0),
               record(payment("P2", "  northwind   SUNDRIES ltd "), 1),
               record(payment("P3", "Contoso Imports LLC"), 2)]
    messages, report = forward_records(records, json_decoder(MAX), OUT, HOP, max_bytes=MAX)
    assert [m.topic for m in messages] == [HOP] * 3
    assert report.forwarded == 3 and report.records == 3 and report.screened == 0
    payments = [Payment.model_validate_json(m.value) for m in messages]
    assert [p.payment_id for p in payments] == ["P1", "P2", "P3"]
    assert [m.key for m in messages] == [routing_key(p).encode() for p in payments]
    # the same debtor, however spelt, goes to the same partition; another debtor elsewhere
    assert messages[0].key == messages[1].key != messages[2].key
    assert all(b"Northwind" not in (m.key or b"") for m in messages)  # the key names nobody


def test_forwarded_value_is_the_canonical_payment() -> None:
    raw = payment("P1", "Northwind Sundries Ltd", account="DE89 3704 0044 0532 0130 00")
    [message], _ = forward_records([record(raw)], json_decoder(MAX), OUT, HOP, max_bytes=MAX)
    original = Payment.model_validate_json(raw)
    assert message.value == original.model_dump_json().encode()
    assert Payment.model_validate_json(message.value) == original


def test_bad_records_are_dead_lettered_in_stage_one_and_not_forwarded() -> None:
    records = [record(b'{"payment_id": ', 0), record(None, 1),
               record(payment("P1", "Northwind Sundries Ltd"), 2)]
    messages, report = forward_records(records, json_decoder(MAX), OUT, HOP, max_bytes=MAX)
    assert [m.topic for m in messages] == ["dlq", "dlq", HOP]
    letter = DeadLetter.model_validate_json(messages[0].value)
    assert (letter.topic, letter.partition, letter.offset) == ("payments", 1, 0)
    assert report.dead_letters == {"json": 1, "empty": 1}
    assert report.forwarded == 1


def test_a_decoder_bug_is_dead_lettered_not_raised() -> None:
    def broken(raw: bytes) -> list[Payment]:
        raise KeyError("oops")

    messages, report = forward_records([record(b"x")], broken, OUT, HOP, max_bytes=MAX)
    assert [m.topic for m in messages] == ["dlq"]
    assert report.dead_letters == {"decode_error": 1} and report.failures


def test_forwarded_payments_carry_stage_one_receipt_as_wall_clock() -> None:
    taken = time.perf_counter() - 2.0  # stage 1 took the record two seconds ago
    [message], _ = forward_records([record(payment("P1", "N"), received=taken)],
                                   json_decoder(MAX), OUT, HOP, max_bytes=MAX)
    stamp = received_at(message.headers)
    assert stamp is not None
    assert abs((time.time() - stamp) - 2.0) < 0.5


def test_received_at_reads_lists_and_mappings_and_ignores_junk() -> None:
    assert received_at([("other", b"1"), (RECEIVED_HEADER, b"1700000000.25")]) == 1700000000.25
    assert received_at({RECEIVED_HEADER: b"12.5"}) == 12.5
    assert received_at([(RECEIVED_HEADER, b"soon")]) is None
    assert received_at(None) is None and received_at([]) is None


class Message:
    def __init__(self, headers: Any) -> None:
        self.topic, self.partition, self.offset = "app-payments-by-debtor", 3, 7
        self.key, self.value, self.headers = b"r", b"{}", headers


class Event:
    def __init__(self, headers: Any) -> None:
        self.message = Message(headers)


def test_stage_two_latency_starts_at_stage_one_receipt() -> None:
    now = time.time()
    events = [Event([(RECEIVED_HEADER, f"{now - 1.5:.6f}".encode())]),
              Event(None), Event([(RECEIVED_HEADER, f"{now + 60:.6f}".encode())])]
    before = time.perf_counter()
    old, unstamped, future = forwarded_records(events)
    after = time.perf_counter()
    assert 1.4 < after - old.received < 1.7  # 1.5 s spent before stage 2 took it
    assert before <= unstamped.received <= after  # no header: stage 2's own receipt
    assert before <= future.received <= after  # a clock ahead of ours counts as now
    assert old.where == "app-payments-by-debtor[3]@7"


class HeaderPublisher:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    async def send(self, topic: str, key: bytes | None, value: bytes,
                   headers: Any = None) -> asyncio.Future[None]:
        self.sent.append((topic, headers))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future


async def test_queue_all_passes_headers_only_when_a_message_has_them() -> None:
    publisher = HeaderPublisher()
    stamp = ((RECEIVED_HEADER, b"1.0"),)
    await queue_all([Outgoing(HOP, b"r", b"{}", stamp), Outgoing("results", b"P", b"{}")],
                    publisher)
    assert publisher.sent == [(HOP, stamp), ("results", None)]
