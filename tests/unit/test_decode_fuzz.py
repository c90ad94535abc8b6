"""Fuzzing the payment decoder: malformed input always becomes a dead letter with a reason."""

from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from malformed_records import MALFORMED_RECORDS, VALID_PAYMENT, huge_record

from streams.errors import PaymentDecodeError
from streams.models import DeadLetter, Payment
from streams.pipeline import MAX_DEAD_LETTER_BYTES, decode_payment, make_dead_letter

MAX_BYTES = 1_000_000
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _dead_letter_for(raw: bytes | None) -> DeadLetter:
    try:
        decode_payment(raw, max_bytes=MAX_BYTES)
    except PaymentDecodeError as exc:
        assert exc.reason and exc.error_type
        return make_dead_letter(raw, exc, topic="payments", partition=3, offset=42, key=raw)
    raise AssertionError(f"accepted a malformed record: {raw[:200]!r}")


@FUZZ
@given(MALFORMED_RECORDS)
def test_malformed_records_become_dead_letters_that_keep_the_bytes(raw: bytes) -> None:
    letter = _dead_letter_for(raw)
    published = letter.model_dump_json()
    again = DeadLetter.model_validate_json(published)
    kept = (again.raw.encode("utf-8") if again.raw_encoding == "utf-8"
            else base64.b64decode(again.raw))
    if kept != raw:  # only a letter that could not be published with every byte
        assert len(published.encode("utf-8")) > MAX_DEAD_LETTER_BYTES // 2
        assert again.raw_encoding == "base64" and raw.startswith(kept)
        assert f"first {len(kept)} of {len(raw)} bytes" in again.error


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise_anything_but_a_decode_error(raw: bytes) -> None:
    try:
        decode_payment(raw, max_bytes=MAX_BYTES)
    except PaymentDecodeError:
        pass


@FUZZ
@given(st.text(max_size=300))
def test_random_text_never_raises_anything_but_a_decode_error(text: str) -> None:
    try:
        decode_payment(text.encode("utf-8", "surrogatepass"), max_bytes=MAX_BYTES)
    except PaymentDecodeError:
        pass


def test_dead_letter_keeps_surrounding_whitespace() -> None:
    raw = b"  not json  "
    letter = DeadLetter.model_validate_json(_dead_letter_for(raw).model_dump_json())
    assert letter.raw.encode("utf-8") == raw


def test_empty_and_oversized_records_are_refused_with_their_reason() -> None:
    assert _dead_letter_for(None).error_type == "empty"
    assert _dead_letter_for(huge_record(MAX_BYTES)).error_type == "too_large"


def test_lone_surrogate_escapes_are_refused_not_crashing_the_encoder() -> None:
    raw = json.dumps(dict(VALID_PAYMENT, payment_id="E2E-\ud800")).encode()
    assert _dead_letter_for(raw).error_type == "validation"


def test_the_valid_payment_of_the_strategies_decodes() -> None:
    assert isinstance(decode_payment(json.dumps(VALID_PAYMENT).encode(), max_bytes=MAX_BYTES),
                      Payment)


def test_a_record_too_large_for_a_dead_letter_keeps_its_first_bytes_and_says_so() -> None:
    raw = b"[" * 400_000 + b"\x00" * 400_000  # escapes to ~2.8 MB of JSON text
    error = PaymentDecodeError("record is 800000 bytes, over the 65536-byte limit", "too_large")
    letter = make_dead_letter(raw, error, topic="payments", partition=3, offset=42, key=b"K")
    published = letter.model_dump_json().encode("utf-8")
    assert len(published) <= MAX_DEAD_LETTER_BYTES
    kept = base64.b64decode(letter.raw)
    assert letter.raw_encoding == "base64" and raw.startswith(kept) and len(kept) > 500_000
    assert letter.error.startswith(error.reason)
    assert f"first {len(kept)} of {len(raw)} bytes" in letter.error
    assert "payments[3]@42" in letter.error
    assert letter.error_type == "too_large" and letter.key == "K"

    small = make_dead_letter(b"\x00" * 1000, error, topic="payments", partition=3, offset=42,
                             key=b"K")
    assert small.raw == "\x00" * 1000 and small.error == error.reason  # untouched
