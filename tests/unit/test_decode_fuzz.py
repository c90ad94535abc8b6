"""Fuzzing the payment decoder: malformed input always becomes a dead letter with a reason."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from malformed_records import MALFORMED_RECORDS, VALID_PAYMENT, huge_record

from streams.errors import PaymentDecodeError
from streams.models import DeadLetter, Payment
from streams.pipeline import (
    MAX_DEAD_LETTER_BYTES,
    MAX_DEAD_LETTER_KEY_BYTES,
    MAX_DEAD_LETTER_REASON_CHARS,
    decode_payment,
    make_dead_letter,
)

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
    assert len(published.encode("utf-8")) <= MAX_DEAD_LETTER_BYTES
    if kept != raw:  # only a letter that could not be published with every byte
        assert len(published.encode("utf-8")) > MAX_DEAD_LETTER_BYTES // 2
        assert again.raw_encoding == "base64" and raw.startswith(kept)
        assert f"raw holds the first {len(kept)} of {len(raw)} bytes" in again.error
    _assert_keeps_key(again, raw)  # the key is the record too: up to 200 kB of nesting


def _kept_key(letter: DeadLetter) -> bytes | None:
    """The key bytes a letter holds (UTF-8 text, else "base64:" and its base64)."""
    if letter.key is None:
        return None
    if letter.key.startswith("base64:"):
        return base64.b64decode(letter.key.removeprefix("base64:"))
    return letter.key.encode("utf-8")


def _assert_keeps_key(letter: DeadLetter, key: bytes | None) -> None:
    """The letter holds the whole key, or its first bytes (a whole text prefix) and says so."""
    kept = _kept_key(letter)
    if key is None or len(key) <= MAX_DEAD_LETTER_KEY_BYTES:
        assert kept == key and "key holds" not in letter.error
        return
    assert kept is not None and key.startswith(kept)
    assert MAX_DEAD_LETTER_KEY_BYTES - 3 <= len(kept) <= MAX_DEAD_LETTER_KEY_BYTES
    assert f"key holds the first {len(kept)} of {len(key)} bytes" in letter.error


#: Record bytes of every JSON cost: plain, escaped to 6 bytes (control), multi-byte, not UTF-8.
PIECES = st.sampled_from([b"k", b"\x00", b"\x1f", b'"', "\u20ac".encode(), "\U0001f600".encode(),
                          b"\xff", b"\xc3"])
LARGE_BYTES = st.builds(lambda piece, count: piece * count, PIECES,
                        st.sampled_from([0, 1, 100, 1365, 1366, 4096, 4097, 170_000, 1_200_000]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=LARGE_BYTES, key=st.one_of(st.none(), LARGE_BYTES))
def test_every_dead_letter_fits_whatever_its_key_and_value(raw: bytes, key: bytes | None
                                                           ) -> None:
    error = PaymentDecodeError("bad record", "json")
    letter = make_dead_letter(raw, error, topic="payments", partition=3, offset=42, key=key)
    published = letter.model_dump_json().encode("utf-8")
    assert len(published) <= MAX_DEAD_LETTER_BYTES
    again = DeadLetter.model_validate_json(published)
    kept = (again.raw.encode("utf-8") if again.raw_encoding == "utf-8"
            else base64.b64decode(again.raw))
    assert raw.startswith(kept)
    if kept != raw:
        assert f"raw holds the first {len(kept)} of {len(raw)} bytes" in again.error
    _assert_keeps_key(again, key)


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


REASON = PaymentDecodeError("record is not JSON", "json")


def _letter(raw: bytes | None, key: bytes | None) -> DeadLetter:
    letter = make_dead_letter(raw, REASON, topic="payments", partition=3, offset=42, key=key)
    published = letter.model_dump_json().encode("utf-8")
    assert len(published) <= MAX_DEAD_LETTER_BYTES
    return DeadLetter.model_validate_json(published)


def test_a_key_too_large_for_a_dead_letter_keeps_its_first_bytes_and_says_so() -> None:
    key = b"k" * 1_200_000  # Kafka takes it: the value is small
    letter = _letter(b"{not json", key)
    assert letter.key == "k" * MAX_DEAD_LETTER_KEY_BYTES
    assert letter.error.startswith(REASON.reason)
    assert f"key holds the first {MAX_DEAD_LETTER_KEY_BYTES} of 1200000 bytes" in letter.error
    assert "payments[3]@42" in letter.error
    assert letter.raw == "{not json" and "raw holds" not in letter.error  # untouched


def test_a_huge_reason_keeps_its_first_characters_and_says_so() -> None:
    reason = "parser said: " + "\x00" * 1_200_000  # e.g. an exception quoting its input
    letter = make_dead_letter(b"x" * 900_000, PaymentDecodeError(reason, "decode_error"),
                              topic="payments", partition=3, offset=42, key=b"K")
    assert len(letter.model_dump_json().encode("utf-8")) <= MAX_DEAD_LETTER_BYTES
    assert letter.error.startswith(reason[:MAX_DEAD_LETTER_REASON_CHARS])
    assert (f"the reason's first {MAX_DEAD_LETTER_REASON_CHARS} of {len(reason)} characters"
            in letter.error)
    short = make_dead_letter(b"x", REASON, topic="payments", partition=3, offset=42, key=b"K")
    assert short.error == REASON.reason


def test_a_huge_key_and_a_huge_value_both_keep_their_first_bytes() -> None:
    key = b"\x00" * 1_200_000  # escapes to 7.2 MB of JSON
    raw = b"\x01" * 1_200_000
    letter = _letter(raw, key)
    assert letter.key == "\x00" * MAX_DEAD_LETTER_KEY_BYTES
    kept = base64.b64decode(letter.raw)
    assert letter.raw_encoding == "base64" and raw.startswith(kept) and len(kept) > 700_000
    assert f"key holds the first {MAX_DEAD_LETTER_KEY_BYTES} of 1200000 bytes" in letter.error
    assert f"raw holds the first {len(kept)} of 1200000 bytes" in letter.error


def test_control_characters_in_key_and_value_stay_under_the_limit() -> None:
    raw = b"\x00" * (MAX_DEAD_LETTER_BYTES // 6)  # just fits alone: 999,996 bytes of JSON
    letter = _letter(raw, b"\x1f" * MAX_DEAD_LETTER_KEY_BYTES)
    assert letter.key == "\x1f" * MAX_DEAD_LETTER_KEY_BYTES and "key holds" not in letter.error
    assert raw.startswith(base64.b64decode(letter.raw)) and "raw holds the first" in letter.error


def test_a_key_of_invalid_utf8_keeps_its_first_bytes_in_base64() -> None:
    key = b"\xff\xfe" * 1_000_000
    letter = _letter(b"{", key)
    assert letter.key == "base64:" + base64.b64encode(key[:MAX_DEAD_LETTER_KEY_BYTES]).decode()
    assert f"key holds the first {MAX_DEAD_LETTER_KEY_BYTES} of 2000000 bytes" in letter.error


@pytest.mark.parametrize(("head", "char", "kept_bytes"), [
    (b"", "\u20ac", 4095),  # 3-byte characters: the cap falls inside the 1366th
    (b"", "\U0001f600", 4096),  # 4-byte characters: the cap falls between two
    (b"a", "\U0001f600", 4093),  # shifted by one: the cap falls inside the 1024th
    (b"a", "\u00e9", 4095),  # 2-byte characters after one ASCII byte
])
def test_a_text_key_is_cut_before_a_character_the_cap_would_split(
        head: bytes, char: str, kept_bytes: int) -> None:
    key = head + char.encode("utf-8") * 3000
    letter = _letter(b"{", key)
    assert letter.key is not None and not letter.key.startswith("base64:")
    assert letter.key.encode("utf-8") == key[:kept_bytes]
    assert f"key holds the first {kept_bytes} of {len(key)} bytes" in letter.error


@pytest.mark.parametrize("key", [None, b"", b"PAY-1", b"\xff\x00", b"\x00" * 1000,
                                 "\u20ac".encode() * 1365, b"k" * MAX_DEAD_LETTER_KEY_BYTES])
def test_keys_up_to_the_cap_are_kept_whole(key: bytes | None) -> None:
    letter = _letter(b"{not json", key)
    assert _kept_key(letter) == key and letter.error == REASON.reason
