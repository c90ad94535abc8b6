"""decode_any tells the formats apart, and the same payment reads the same in all three."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.errors import PaymentDecodeError
from streams.formats import decode_any, decode_as, detect_format

MAX = 1_000_000
SCENARIO = ("scenario-2016.json", "scenario-2016.pacs008.xml", "scenario-2016.mt103.txt")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"payment_id": "x"}', "json"),
        (b"\xef\xbb\xbf  {\n", "json"),
        (b"<?xml version='1.0'?><Document/>", "pacs008"),
        (b"\n<Document/>", "pacs008"),
        (b"{1:F01BKCHCNBJAXXX0000000000}", "mt103"),
        (b"{4:\r\n:20:X", "mt103"),
        (b":20:REF\n:23B:CRED", "mt103"),
    ],
)
def test_detect_format(raw: bytes, expected: str) -> None:
    assert detect_format(raw) == expected


def test_unknown_format_is_a_decode_error() -> None:
    with pytest.raises(PaymentDecodeError) as caught:
        decode_any(b"hello", max_bytes=MAX)
    assert caught.value.error_type == "unknown_format"


def test_the_same_payment_in_three_formats_is_one_canonical_payment(fixture_bytes) -> None:
    payments = [decode_any(fixture_bytes(name), max_bytes=MAX) for name in SCENARIO]
    assert all(len(p) == 1 for p in payments)
    canonical, pacs, mt = (p[0] for p in payments)
    assert pacs == canonical
    assert mt == canonical


def test_size_limit_applies_to_every_format(fixture_bytes) -> None:
    for name in SCENARIO:
        with pytest.raises(PaymentDecodeError) as caught:
            decode_any(fixture_bytes(name), max_bytes=200)
        assert caught.value.error_type == "too_large"


def test_decode_as_forces_a_format(fixture_bytes) -> None:
    with pytest.raises(PaymentDecodeError):
        decode_as(fixture_bytes("scenario-2016.mt103.txt"), "pacs008", max_bytes=MAX)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_escape_as_other_errors(raw: bytes) -> None:
    try:
        decode_any(raw, max_bytes=MAX)
    except PaymentDecodeError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutated_messages_never_escape_as_other_errors(fixture_bytes, data) -> None:
    raw = bytearray(fixture_bytes(data.draw(st.sampled_from(SCENARIO[1:]))))
    for _ in range(data.draw(st.integers(1, 5))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    try:
        decode_any(bytes(raw), max_bytes=MAX)
    except PaymentDecodeError:
        pass


def test_utf16_pacs008_is_detected_and_decoded(fixture_bytes) -> None:
    text = fixture_bytes("scenario-2016.pacs008.xml").decode().replace('"UTF-8"', '"UTF-16"')
    raw = text.encode("utf-16")  # with its byte-order mark
    assert detect_format(raw) == "pacs008"
    [payment] = decode_any(raw, max_bytes=MAX)
    [canonical] = decode_any(fixture_bytes("scenario-2016.json"), max_bytes=MAX)
    assert payment == canonical
