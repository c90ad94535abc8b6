"""Batch processing without Kafka: every record gives results or a dead letter, never nothing."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from streams.errors import FormatError, PaymentDecodeError
from streams.models import Alert, DeadLetter, Hit, Payment, ScreeningResult
from streams.pipeline import (
    MAX_DEAD_LETTER_BYTES,
    MAX_DEAD_LETTER_KEY_BYTES,
    Evaluation,
    PaymentScreener,
    RuleHit,
)
from streams.worker.demo_scenario import CLEAN
from streams.worker.processing import (
    Outputs,
    RawRecord,
    dead_letter,
    json_decoder,
    process_records,
    queue_records,
    records_from_events,
    screen_records,
)

OUT = Outputs(alerts="alerts", results="results", dlq="dlq")
MAX = 4096


class NameEvaluator:
    """Flags payments whose creditor name contains FLAG; raises on a creditor named BOOM."""

    ruleset_version = "sha256:test"

    def evaluate(self, payment: Payment) -> Evaluation:
        if payment.creditor.name == "BOOM":
            raise RuntimeError("evaluator exploded")
        evaluation = Evaluation()
        if "FLAG" in payment.creditor.name:
            hit = Hit(rule_id="r1", role="creditor", field="name", value=payment.creditor.name,
                      list="test", entry_id="E1", explanation="named FLAG")
            evaluation.hits.append(RuleHit(hit, "block", "critical"))
        return evaluation


@pytest.fixture
def screener() -> PaymentScreener:
    return PaymentScreener(NameEvaluator(), {"test": "1"})


def payment(pid: str, creditor: str = "Jane Doe") -> bytes:
    return json.dumps(dict(CLEAN["DEMO-2016-109"], payment_id=pid,
                           creditor={"name": creditor})).encode()


def record(value: bytes | None, offset: int = 0, key: bytes | None = b"k",
           partition: int = 0) -> RawRecord:
    return RawRecord("payments", partition, offset, key, value, received=0.0)


def by_topic(messages: list[Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {"alerts": [], "results": [], "dlq": []}
    for m in messages:
        found[m.topic].append(json.loads(m.value))
    return found


def test_flagged_clean_and_bad_records(screener: PaymentScreener) -> None:
    records = [record(payment("P1", "FLAG Co"), 0, b"P1"), record(payment("P2"), 1, b"P2"),
               record(b"not json", 2, b"bad")]
    messages, report = screen_records(records, json_decoder(MAX), screener, OUT, max_bytes=MAX)
    out = by_topic(messages)
    assert [ScreeningResult.model_validate(r).payment_id for r in out["results"]] == ["P1", "P2"]
    alert = Alert.model_validate(out["alerts"][0])
    assert alert.payment_id == "P1" and alert.ruleset_version == "sha256:test"
    letter = DeadLetter.model_validate(out["dlq"][0])
    assert (letter.error_type, letter.offset, letter.key, letter.raw) == (
        "json", 2, "bad", "not json")
    assert {m.key for m in messages if m.topic != "dlq"} == {b"P1", b"P2"}
    assert (report.records, report.screened, report.alerts) == (3, 2, 1)
    assert report.decisions == {"block": 1, "clear": 1}
    assert report.dead_letters == {"json": 1}
    assert report.alert_rules == {("r1", "critical"): 1}


def test_screening_error_is_dead_lettered_and_the_batch_goes_on(screener: PaymentScreener
                                                                ) -> None:
    records = [record(payment("P1", "BOOM"), 0), record(payment("P2"), 1)]
    messages, report = screen_records(records, json_decoder(MAX), screener, OUT, max_bytes=MAX)
    out = by_topic(messages)
    assert out["dlq"][0]["error_type"] == "screening_error"
    assert "P1" in out["dlq"][0]["error"] and "evaluator exploded" in out["dlq"][0]["error"]
    assert [r["payment_id"] for r in out["results"]] == ["P2"]
    assert report.dead_letters == {"screening_error": 1}
    assert report.failures == ["payments[0]@0: screening payment P1 failed: "
                               "RuntimeError: evaluator exploded"]


def test_size_limit_applies_to_every_decoder(screener: PaymentScreener) -> None:
    calls = []

    def decode(raw: bytes) -> list[Payment]:
        calls.append(raw)
        return []

    messages, _ = screen_records([record(b"x" * (MAX + 1))], decode, screener, OUT, max_bytes=MAX)
    assert calls == []
    assert by_topic(messages)["dlq"][0]["error_type"] == "too_large"


@pytest.mark.parametrize(("decode_result", "error_type"), [
    ([], "empty"),
    (FormatError(":32A: is missing", "format"), "format"),
    (KeyError("bug"), "decode_error"),
])
def test_decoder_outcomes_become_dead_letters(screener: PaymentScreener, decode_result: Any,
                                              error_type: str) -> None:
    def decode(raw: bytes) -> list[Payment]:
        if isinstance(decode_result, Exception):
            raise decode_result
        return list(decode_result)

    messages, report = screen_records([record(b"{1:F01...}")], decode, screener, OUT,
                                      max_bytes=MAX)
    assert [m.topic for m in messages] == ["dlq"]
    assert report.dead_letters == {error_type: 1}


def test_a_record_with_several_payments_gives_a_result_each(screener: PaymentScreener) -> None:
    def decode(raw: bytes) -> list[Payment]:
        return [Payment.model_validate_json(payment(f"M{i}")) for i in range(3)]

    messages, report = screen_records([record(b"<Document/>")], decode, screener, OUT,
                                      max_bytes=MAX)
    assert [r["payment_id"] for r in by_topic(messages)["results"]] == ["M0", "M1", "M2"]
    assert report.screened == 3


@pytest.mark.parametrize("raw", [b"  {not json}\n", b"\t[1, 2]\r\n", b"", None])
def test_dead_letters_keep_utf8_bytes_exactly_as_text(screener: PaymentScreener,
                                                      raw: bytes | None) -> None:
    messages, _ = screen_records([record(raw)], json_decoder(MAX), screener, OUT, max_bytes=MAX)
    letter = DeadLetter.model_validate_json(messages[0].value)
    assert letter.raw_encoding == "utf-8"  # outer whitespace included, no base64 detour
    assert letter.raw.encode() == (raw or b"")


def test_dead_letters_keep_other_bytes_as_base64(screener: PaymentScreener) -> None:
    raw = b"\xff\xfe\x00binary"
    messages, _ = screen_records([record(raw)], json_decoder(MAX), screener, OUT, max_bytes=MAX)
    letter = DeadLetter.model_validate_json(messages[0].value)
    assert letter.raw_encoding == "base64"
    assert base64.b64decode(letter.raw) == raw


#: Under the worker producer's request limit (1 MiB) with room for the record's framing.
PUBLISHABLE_BYTES = 1_040_000


@pytest.mark.parametrize(("key", "kept"), [
    (b"k" * 1_200_000, b"k" * MAX_DEAD_LETTER_KEY_BYTES),
    (b"\xff" * 1_200_000, b"\xff" * MAX_DEAD_LETTER_KEY_BYTES),  # base64 in the letter
    ("\u20ac".encode() * 2000, "\u20ac".encode() * 1365),  # not cut inside a character
])
def test_a_dead_letter_is_published_with_the_prefix_of_a_huge_key_it_keeps(
        key: bytes, kept: bytes) -> None:
    raw = b"\x00" * 1_200_000  # the letter itself is as large as it may be
    message = dead_letter(record(raw, key=key), PaymentDecodeError("bad", "json"), OUT)
    assert message.key == kept
    assert len(message.key) + len(message.value) <= PUBLISHABLE_BYTES
    assert len(message.value) <= MAX_DEAD_LETTER_BYTES
    letter = DeadLetter.model_validate_json(message.value)
    held = (base64.b64decode(letter.key.removeprefix("base64:"))
            if letter.key and letter.key.startswith("base64:") else (letter.key or "").encode())
    assert held == kept
    assert f"key holds the first {len(kept)} of {len(key)} bytes" in letter.error


@pytest.mark.parametrize("key", [None, b"", b"PAY-1", b"\xff\xfe",
                                 b"k" * MAX_DEAD_LETTER_KEY_BYTES])
def test_a_dead_letter_is_published_with_the_record_key_up_to_the_cap(
        screener: PaymentScreener, key: bytes | None) -> None:
    messages, _ = screen_records([record(b"{not json", key=key)], json_decoder(MAX), screener,
                                 OUT, max_bytes=MAX)
    assert [(m.topic, m.key) for m in messages] == [("dlq", key)]


class Scope:
    def __init__(self) -> None:
        self.bound: list[int | None] = []
        self.pending: list[asyncio.Future[None]] = []

    def bind(self, partition: int | None) -> None:
        self.bound.append(partition)

    def drain(self) -> list[asyncio.Future[None]]:
        pending, self.pending = self.pending, []
        return pending


class RecordingPublisher:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None]] = []

    async def send(self, topic: str, key: bytes | None, value: bytes) -> asyncio.Future[None]:
        self.sent.append((topic, key))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.01, future.set_result, None)
        return future


async def test_process_records_publishes_all_and_awaits_scope_writes(
        screener: PaymentScreener) -> None:
    scope, publisher = Scope(), RecordingPublisher()
    changelog: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    scope.pending.append(changelog)
    asyncio.get_running_loop().call_later(0.05, changelog.set_result, None)
    records = [record(payment("P1", "FLAG"), 0, partition=3), record(b"{", 1, partition=1)]
    report = await process_records(records, json_decoder(MAX), screener, publisher, OUT,
                                   max_bytes=MAX, scope=scope)
    assert changelog.done()  # the window-store write was awaited before returning
    assert scope.bound == [3]  # bound before screening; a dead letter needs no binding
    assert sorted(publisher.sent) == [("alerts", b"P1"), ("dlq", b"k"), ("results", b"P1")]
    assert set(report.stage_seconds) == {"screen", "publish"}


def test_records_from_events_keeps_origin() -> None:
    class Message:
        topic, partition, offset, key, value = "payments", 2, 41, b"k", b"v"

    class Event:
        message = Message()

    [raw] = records_from_events([Event()], received=1.5)
    assert (raw.topic, raw.partition, raw.offset, raw.key, raw.value, raw.received) == (
        "payments", 2, 41, b"k", b"v", 1.5)
    assert raw.where == "payments[2]@41"


class FlakyPublisher:
    """Fails the first attempt of every message to `results`, then succeeds."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, bytes | None]] = []

    async def send(self, topic: str, key: bytes | None, value: bytes) -> asyncio.Future[None]:
        self.attempts.append((topic, key))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if topic == "results" and self.attempts.count((topic, key)) == 1:
            future.set_exception(TimeoutError("broker did not answer"))
        else:
            future.set_result(None)
        return future


async def test_messages_the_producer_gave_up_on_are_sent_again(
        screener: PaymentScreener, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("streams.worker.processing.RETRY_FIRST_PAUSE_SECONDS", 0.01)
    publisher = FlakyPublisher()
    await process_records([record(payment("P1", "FLAG"), 0, b"P1")], json_decoder(MAX),
                          screener, publisher, OUT, max_bytes=MAX)
    assert sorted(publisher.attempts) == [("alerts", b"P1"), ("results", b"P1"),
                                          ("results", b"P1")]


class HeldPublisher:
    """Records sends in order; no send is acknowledged until the test says so."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None]] = []
        self.futures: list[asyncio.Future[None]] = []

    async def send(self, topic: str, key: bytes | None, value: bytes) -> asyncio.Future[None]:
        self.sent.append((topic, key))
        self.futures.append(asyncio.get_running_loop().create_future())
        return self.futures[-1]


async def test_queue_records_queues_everything_in_order_and_confirms_later(
        screener: PaymentScreener) -> None:
    scope, publisher = Scope(), HeldPublisher()
    changelog: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    scope.pending.append(changelog)
    records = [record(payment("P1", "FLAG"), 0, b"P1"), record(b"{", 1),
               record(payment("P2"), 2, b"P2")]
    batch = await queue_records(records, json_decoder(MAX), screener, publisher, OUT,
                                max_bytes=MAX, scope=scope)
    # every message is queued, in record order, and nothing has been acknowledged yet
    assert publisher.sent == [("alerts", b"P1"), ("results", b"P1"), ("dlq", b"k"),
                              ("results", b"P2")]
    assert set(batch.report.stage_seconds) == {"screen"}
    confirm = asyncio.ensure_future(batch.confirm)
    for future in publisher.futures:
        future.set_result(None)
    await asyncio.sleep(0.01)
    assert not confirm.done()  # the window store's write is part of the confirmation
    changelog.set_result(None)
    await asyncio.wait_for(confirm, 1)
