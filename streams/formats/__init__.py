"""Wire formats beyond canonical JSON: ISO 20022 pacs.008 and SWIFT MT103, into Payments.

Pure functions of bytes (no Kafka, no I/O): each decoder returns the canonical payments a
message carries or raises FormatError with a reason naming the element or field.
"""

from __future__ import annotations

from streams.formats.detect import FORMATS, WireFormat, decode_any, decode_as, detect_format
from streams.formats.mt103 import decode_mt103
from streams.formats.pacs008 import PACS008_NAMESPACE, decode_pacs008

__all__ = [
    "FORMATS",
    "PACS008_NAMESPACE",
    "WireFormat",
    "decode_any",
    "decode_as",
    "decode_mt103",
    "decode_pacs008",
    "detect_format",
]
