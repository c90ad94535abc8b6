"""The path of one payment, free of Kafka: decode the record, screen it, build alert and result.

The Faust agents and `streams replay` both call this module, so a payment gets the same
decision online and offline.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NamedTuple, Protocol

from pydantic import ValidationError

from streams.errors import PaymentDecodeError
from streams.models import (
    ACTION_RANK,
    SEVERITY_RANK,
    Alert,
    DeadLetter,
    Hit,
    Payment,
    ScreeningResult,
    SuppressedHit,
)

__all__ = [
    "Outcome",
    "PaymentScreener",
    "RuleHit",
    "Evaluation",
    "RuleEvaluator",
    "alert_id_for",
    "decode_payment",
    "MAX_DEAD_LETTER_BYTES",
    "MAX_DEAD_LETTER_KEY_BYTES",
    "MAX_DEAD_LETTER_REASON_CHARS",
    "dead_letter_key",
    "make_dead_letter",
]

#: The largest dead letter published, as JSON: under Kafka's default message limit
#: (1,048,588 bytes) and the worker producer's smallest request limit (1 MiB).
MAX_DEAD_LETTER_BYTES = 1_000_000
#: How much longer a record's bytes can get as JSON text (a control character: \u0000).
JSON_ESCAPE_GROWTH = 6
#: The most bytes of a record's key a dead letter keeps, and is published with. Real keys are
#: identifiers (payment ids, accounts, UUIDs) of tens of bytes and stay whole; a longer one
#: costs at most 24 KiB of the letter's JSON (escaped) and, as the message key beside a
#: letter of MAX_DEAD_LETTER_BYTES, keeps the message under the producer's 1 MiB.
MAX_DEAD_LETTER_KEY_BYTES = 4096
#: The most characters of a failure's reason a dead letter keeps (reasons quoting a huge
#: input, e.g. an exception message from a parser, would otherwise fill the letter).
MAX_DEAD_LETTER_REASON_CHARS = 2000
#: An upper bound on a dead letter's JSON besides its strings: field names, numbers, quotes.
DEAD_LETTER_FRAME_BYTES = 256


def decode_payment(raw: bytes | None, *, max_bytes: int) -> Payment:
    """Decode one record value into a Payment, or raise PaymentDecodeError with the reason."""
    if raw is None:
        raise PaymentDecodeError("record has no value", "empty")
    if len(raw) > max_bytes:
        raise PaymentDecodeError(
            f"record is {len(raw)} bytes, over the {max_bytes}-byte limit", "too_large"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8: {exc.reason} at byte {exc.start}"
        raise PaymentDecodeError(reason, "encoding") from exc
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise PaymentDecodeError(f"not JSON: {exc}", "json") from exc
    if not isinstance(data, dict):
        raise PaymentDecodeError(
            f"payment must be a JSON object, got {type(data).__name__}", "validation"
        )
    try:
        return Payment.model_validate(data)
    except ValidationError as exc:
        raise PaymentDecodeError(_describe_validation(exc), "validation") from exc


def _describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "(payment)"
        parts.append(f"{where}: {err['msg']}")
    more = exc.error_count() - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def make_dead_letter(
    raw: bytes | None,
    error: PaymentDecodeError,
    *,
    topic: str,
    partition: int | None,
    offset: int | None,
    key: bytes | None,
) -> DeadLetter:
    """The dead letter for a record that could not be screened, keeping its original bytes.

    A record so large that its dead letter could not be published (over MAX_DEAD_LETTER_BYTES
    as JSON: the producer and Kafka's default message limit) keeps only its first bytes, in
    base64, and the error says how many of how many; the whole record stays where it was.
    A key over MAX_DEAD_LETTER_KEY_BYTES likewise keeps only its first bytes (dead_letter_key).
    """
    data = raw or b""
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(data).decode("ascii"), "base64"
    where = f"{topic}[{partition}]@{offset}"
    kept_key = dead_letter_key(key)
    key_text = _key_text(kept_key)
    reason = error.reason
    if len(reason) > MAX_DEAD_LETTER_REASON_CHARS:
        reason = (f"{reason[:MAX_DEAD_LETTER_REASON_CHARS]}... (the reason's first "
                  f"{MAX_DEAD_LETTER_REASON_CHARS} of {len(reason)} characters)")
    if key is not None and kept_key is not None and len(kept_key) < len(key):
        reason += (f"; key holds the first {len(kept_key)} of {len(key)} bytes: the key is too "
                   f"large for a dead letter and the record stays at {where}")
    letter = _dead_letter(reason, error, topic, partition, offset, key_text, text, encoding)
    strings = len(data) + len(reason) + len(error.error_type) + len(topic) + len(key_text or "")
    if strings * JSON_ESCAPE_GROWTH + DEAD_LETTER_FRAME_BYTES <= MAX_DEAD_LETTER_BYTES:
        return letter  # cannot be too large: no need to serialise it to find out
    if _json_size(letter) <= MAX_DEAD_LETTER_BYTES:
        return letter

    def truncated(kept: int) -> str:
        return (f"{reason}; raw holds the first {kept} of {len(data)} bytes, in base64: the "
                f"record is too large for a dead letter and stays at {where}")

    empty = _dead_letter(truncated(len(data)), error, topic, partition, offset, key_text, "",
                         "base64")  # the longest error: N has no more digits than M
    room = MAX_DEAD_LETTER_BYTES - _json_size(empty)
    kept = data[:max(0, room) // 4 * 3]  # base64 makes 4 characters of every 3 bytes
    return _dead_letter(truncated(len(kept)), error, topic, partition, offset, key_text,
                        base64.b64encode(kept).decode("ascii"), "base64")


def dead_letter_key(key: bytes | None) -> bytes | None:
    """The part of a record's key its dead letter keeps and is published with.

    The whole key up to MAX_DEAD_LETTER_KEY_BYTES; a longer one keeps its first bytes, a few
    fewer where the cut would split a UTF-8 character (so a text key stays text).
    """
    if key is None or len(key) <= MAX_DEAD_LETTER_KEY_BYTES:
        return key
    kept = key[:MAX_DEAD_LETTER_KEY_BYTES]
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(kept)  # holds back a character cut short at the end, if any
    except UnicodeDecodeError:
        return kept  # not UTF-8 text: kept in base64, every byte up to the cap
    cut_short, _ = decoder.getstate()
    return kept[:len(kept) - len(cut_short)]


def _key_text(key: bytes | None) -> str | None:
    """A key as the dead letter holds it: UTF-8 text, else "base64:" and its base64."""
    if key is None:
        return None
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(key).decode("ascii")


def _json_size(letter: DeadLetter) -> int:
    """How many bytes the letter is as published (UTF-8 JSON)."""
    return len(letter.model_dump_json().encode("utf-8"))


def _dead_letter(reason: str, error: PaymentDecodeError, topic: str, partition: int | None,
                 offset: int | None, key_text: str | None, text: str, encoding: str
                 ) -> DeadLetter:
    return DeadLetter(
        error=reason, error_type=error.error_type, topic=topic, partition=partition,
        offset=offset, key=key_text, raw=text, raw_encoding=encoding,  # type: ignore[arg-type]
    )


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A hit together with the action and severity of the rule that produced it."""

    hit: Hit
    action: str
    severity: str


@dataclass(slots=True)
class Evaluation:
    """What the rules found in one payment."""

    hits: list[RuleHit] = field(default_factory=list)
    suppressed: list[SuppressedHit] = field(default_factory=list)


class RuleEvaluator(Protocol):
    """Anything that evaluates the active rules over one payment (the rule engine)."""

    ruleset_version: str

    def evaluate(self, payment: Payment) -> Evaluation: ...


def alert_id_for(payment_id: str, hits: Sequence[Hit], ruleset_version: str,
                 lists_version: dict[str, str]) -> str:
    """A deterministic alert id: the same payment, rules and lists always give the same id."""
    digest = hashlib.sha256()
    digest.update(payment_id.encode())
    digest.update(ruleset_version.encode())
    digest.update(json.dumps(lists_version, sort_keys=True).encode())
    for hit in sorted(hits, key=lambda h: (h.rule_id, h.role, h.field, h.entry_id or "")):
        digest.update(f"|{hit.rule_id}|{hit.role}|{hit.field}|{hit.list}|{hit.entry_id}".encode())
    return "alrt-" + digest.hexdigest()[:32]


class Outcome(NamedTuple):
    """The screening result of one payment and its alert when flagged."""

    result: ScreeningResult
    alert: Alert | None


class PaymentScreener:
    """Screens payments with a rule evaluator and stamps the rule and list versions."""

    def __init__(
        self,
        evaluator: RuleEvaluator,
        lists_version: dict[str, str],
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.evaluator = evaluator
        self.lists_version = dict(lists_version)
        self.clock = clock

    @property
    def ruleset_version(self) -> str:
        """The content hash of the active rule files."""
        return self.evaluator.ruleset_version

    def screen(self, payment: Payment, started: float | None = None) -> Outcome:
        """Screen one payment; `started` is a time.perf_counter() reading taken on receipt."""
        t0 = time.perf_counter() if started is None else started
        evaluation = self.evaluator.evaluate(payment)
        now = self.clock()
        alert = None
        decision = "clear"
        if evaluation.hits:
            hits = [h.hit for h in evaluation.hits]
            action = max((h.action for h in evaluation.hits), key=ACTION_RANK.__getitem__)
            severity = max((h.severity for h in evaluation.hits), key=SEVERITY_RANK.__getitem__)
            alert = Alert(
                alert_id=alert_id_for(payment.payment_id, hits, self.ruleset_version,
                                      self.lists_version),
                payment_id=payment.payment_id, action=action,  # type: ignore[arg-type]
                severity=severity, hits=hits,  # type: ignore[arg-type]
                ruleset_version=self.ruleset_version, lists_version=self.lists_version,
                screened_at=now,
            )
            decision = action
        result = ScreeningResult(
            payment_id=payment.payment_id, decision=decision,  # type: ignore[arg-type]
            alert_id=alert.alert_id if alert else None, ruleset_version=self.ruleset_version,
            lists_version=self.lists_version, screened_at=now,
            latency_ms=round((time.perf_counter() - t0) * 1000, 3),
            suppressed=evaluation.suppressed,
        )
        return Outcome(result=result, alert=alert)
