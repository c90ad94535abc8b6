"""Tell the wire formats apart and decode any of them: canonical JSON, pacs.008, MT103.

`decode_any` is what `streams replay` and `streams convert` call; the Faust agents call the
decoder of their own topic directly, since each topic carries one format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from streams.errors import FormatError, PaymentDecodeError
from streams.formats.mt103 import decode_mt103
from streams.formats.pacs008 import decode_pacs008
from streams.models import Payment
from streams.pipeline import decode_payment

__all__ = ["FORMATS", "WireFormat", "decode_any", "decode_as", "detect_format"]

WireFormat = Literal["json", "pacs008", "mt103"]
FORMATS: tuple[WireFormat, ...] = ("json", "pacs008", "mt103")

_MT_START = re.compile(rb"\{[1-5]:|:20:")
_BOM = b"\xef\xbb\xbf"
_UTF16_XML = (b"\xff\xfe<\x00", b"\xfe\xff\x00<")  # XML in UTF-16, with its byte-order mark


def detect_format(raw: bytes) -> WireFormat:
    """Which format the bytes are in, from their first non-blank characters."""
    head = raw[:64].removeprefix(_BOM).lstrip()
    if _MT_START.match(head):
        return "mt103"
    if head.startswith((b"<", *_UTF16_XML)):
        return "pacs008"
    if head.startswith((b"{", b"[")):
        return "json"
    raise FormatError(
        "unrecognised format: expected a JSON payment, a pacs.008 XML document or an MT103",
        "unknown_format",
    )


def _decode_json(raw: bytes, *, max_bytes: int) -> list[Payment]:
    return [decode_payment(raw.removeprefix(_BOM), max_bytes=max_bytes)]


_DECODERS: dict[WireFormat, Callable[..., list[Payment]]] = {
    "json": _decode_json, "pacs008": decode_pacs008, "mt103": decode_mt103,
}


def decode_as(raw: bytes, wire_format: WireFormat, *, max_bytes: int) -> list[Payment]:
    """The payments in `raw`, read as `wire_format`."""
    if len(raw) > max_bytes:
        raise PaymentDecodeError(
            f"record is {len(raw)} bytes, over the {max_bytes}-byte limit", "too_large"
        )
    return _DECODERS[wire_format](raw, max_bytes=max_bytes)


def decode_any(raw: bytes, *, max_bytes: int) -> list[Payment]:
    """The payments in `raw`, whatever its format; raises PaymentDecodeError with the reason."""
    if len(raw) > max_bytes:
        raise PaymentDecodeError(
            f"record is {len(raw)} bytes, over the {max_bytes}-byte limit", "too_large"
        )
    return decode_as(raw, detect_format(raw), max_bytes=max_bytes)
