"""Hypothesis strategies for records that must end in the dead-letter queue, never in a crash.

Shared by the pure decoder fuzz tests (tests/unit) and the broker fuzz test
(tests/integration); pytest puts tests/ on sys.path because tests/conftest.py lives there.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

VALID_PAYMENT: dict[str, Any] = {
    "payment_id": "E2E-FUZZ-0",
    "created_at": "2026-01-05T08:00:00Z",
    "amount": "1250.00",
    "currency": "USD",
    "debtor": {"name": "Hanbit Logistics Co., Ltd.", "country": "KR"},
    "debtor_agent": {"bic": "HVBKKRSE", "name": "Woori Bank"},
    "creditor_agent": {"bic": "DEUTDEFF", "name": "Deutsche Bank AG"},
    "creditor": {"name": "Meridian Textiles GmbH", "country": "DE"},
}

UNUSUAL_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Z", "Cf", "Co")),
    max_size=60,
)
EXTREME_NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 0.0, 1e-30, 1e308, -1e308, 10**400]),
)
JSON_LEAVES = st.one_of(st.none(), st.booleans(), EXTREME_NUMBERS, UNUSUAL_TEXT)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(UNUSUAL_TEXT, inner, max_size=4)),
    max_leaves=20,
)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode() if depth % 2 else (
        '{"a":' * depth + "1" + "}" * depth).encode()


WRONG_TYPES = st.one_of(st.none(), st.booleans(), st.lists(JSON_LEAVES, max_size=3),
                        st.integers(), st.floats(allow_nan=False))


@st.composite
def wrong_field(draw: st.DrawFn) -> bytes:
    """A valid payment with one required field given a value of the wrong JSON type."""
    payment = dict(VALID_PAYMENT)
    name = draw(st.sampled_from(sorted(set(VALID_PAYMENT) - {"amount", "created_at"})))
    payment[name] = draw(WRONG_TYPES)
    return _dumps(payment)


@st.composite
def missing_field(draw: st.DrawFn) -> bytes:
    """A valid payment with one required field removed."""
    payment = dict(VALID_PAYMENT)
    del payment[draw(st.sampled_from(sorted(VALID_PAYMENT)))]
    return _dumps(payment)


@st.composite
def bad_amount(draw: st.DrawFn) -> bytes:
    """A valid payment whose amount is zero, negative, not finite, or absurdly long."""
    payment = dict(VALID_PAYMENT)
    payment["amount"] = draw(st.one_of(
        st.sampled_from(["0", "-5", "NaN", "Infinity", "1e999", "abc", "", "1" * 40]),
        st.integers(max_value=0), st.floats(max_value=0.0),
    ))
    return _dumps(payment)


INVALID_UTF8 = st.builds(lambda head, tail: head + b"\xff\xfe\xc3" + tail,
                         st.binary(max_size=20), st.binary(max_size=20))
NOT_JSON = st.one_of(
    st.binary(min_size=1, max_size=200).filter(lambda b: not b.strip().startswith((b"{", b"["))),
    UNUSUAL_TEXT.map(lambda s: ("{" + s).encode("utf-8")),
    st.just(b"{"), st.just(b"   "), st.just(b"\x00"),
)
NOT_AN_OBJECT = JSON_VALUES.filter(lambda v: not isinstance(v, dict)).map(_dumps)
DEEPLY_NESTED = st.integers(min_value=500, max_value=200_000).map(_nested)

MALFORMED_RECORDS = st.one_of(
    NOT_JSON, INVALID_UTF8, NOT_AN_OBJECT, DEEPLY_NESTED, wrong_field(), missing_field(),
    bad_amount(), st.dictionaries(UNUSUAL_TEXT, JSON_VALUES, max_size=5).map(_dumps),
)
"""Records that are never a valid payment."""


def huge_record(max_bytes: int) -> bytes:
    """A syntactically valid payment padded past the size limit."""
    payment = dict(VALID_PAYMENT, remittance_info="x" * (max_bytes + 1))
    return _dumps(payment)
