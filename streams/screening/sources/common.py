"""Helpers every list loader shares: strict decoding, content hashes, financial-institution test."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from streams.errors import ListLoadError

__all__ = [
    "FINANCIAL_WORDS",
    "content_version",
    "decode_text",
    "looks_financial",
    "read_bytes",
]

# Words that make an organisation's name (or the list's description of it) a financial one.
FINANCIAL_WORDS = frozenset({
    "BANK", "BANKS", "BANKING", "BANKASI", "BANCO", "BANCA", "BANQUE", "BANC", "BANKA",
    "CREDIT", "FINANCIAL", "FINANCE", "FINANCING", "FINANCIERA", "FINANCIERAS", "FINANCIERO",
    "FINANCIEROS", "INSURANCE", "REINSURANCE", "LEASING", "PAYMENTS", "SARAFI",
    "SARRAFI", "SAYRAFI", "HAWALA", "HAWALAH", "UNHAENG", "MONETARY INTERMEDIATION", "SAVINGS",
})
_WORD = re.compile(r"[A-Z]+")
# Money exchangers, but not "economic exchange" or "trade exchange" bodies.
_EXCHANGE = re.compile(r"(?<!ECONOMIC )(?<!TRADE )(?<!TRADING )(?<!CULTURAL )\bEXCHANGE\b")
_PHRASES = tuple(w for w in FINANCIAL_WORDS if " " in w)
_SINGLE = frozenset(w for w in FINANCIAL_WORDS if " " not in w)


def looks_financial(texts: Iterable[str]) -> bool:
    """Whether any text names a bank, credit, financial or insurance institution."""
    for text in texts:
        upper = text.upper()
        if any(p in upper for p in _PHRASES) or _EXCHANGE.search(upper):
            return True
        words = _WORD.findall(upper)
        if not _SINGLE.isdisjoint(words):
            return True
        if any(len(w) > 6 and w.endswith("BANK") for w in words):  # SBERBANK, GAZPROMBANK
            return True
    return False


def read_bytes(path: Path) -> bytes:
    """A list file's bytes, or ListLoadError naming the file."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ListLoadError(str(path), f"cannot read: {exc.strerror or exc}") from exc


def decode_text(path: Path, data: bytes, encoding: str = "utf-8") -> str:
    """Strictly decoded text; a mis-encoded byte fails with its line number."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ListLoadError(
            str(path), f"not {encoding}: byte 0x{data[exc.start]:02x} ({exc.reason})", line
        ) from exc


def content_version(*parts: bytes) -> str:
    """A version for a list file without a publication date: sha256 of its content."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return "sha256:" + digest.hexdigest()[:16]
