"""The message contract (../shared/docs/messages.md) as frozen pydantic models.

Payment is what payment systems publish; Alert, ScreeningResult and DeadLetter are
what streams publishes. Field names and meanings are a public API: add optional
fields freely, never rename or remove one.
"""

from __future__ import annotations

import builtins
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

__all__ = [
    "Action",
    "Address",
    "Agent",
    "Alert",
    "DeadLetter",
    "Decision",
    "Hit",
    "Party",
    "Payment",
    "ScreeningResult",
    "Severity",
    "SuppressedHit",
]

Action = Literal["block", "hold", "review"]
Severity = Literal["critical", "high", "medium", "low"]
Decision = Literal["clear", "review", "hold", "block"]

ACTION_RANK: dict[str, int] = {"clear": 0, "review": 1, "hold": 2, "block": 3}
SEVERITY_RANK: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def _utc(value: datetime) -> datetime:
    if value.tzinfo is timezone.utc:  # the worker's own clock, and most JSON with a `Z`
        return value
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a time zone (RFC 3339)")
    return value.astimezone(timezone.utc)


# Held in UTC, so pydantic writes them as RFC 3339 with a `Z` (2026-11-30T07:01:37.616123Z)
# itself: no Python call per timestamp on the results path.
Timestamp = Annotated[datetime, AfterValidator(_utc)]
ShortText = Annotated[str, Field(min_length=1, max_length=350)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
BicCode = Annotated[str, Field(pattern=r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Address(_Frozen):
    """A postal address; every part optional."""

    street: Annotated[str, Field(max_length=350)] | None = None
    town: Annotated[str, Field(max_length=140)] | None = None
    postcode: Annotated[str, Field(max_length=35)] | None = None
    country: CountryCode | None = None


class Party(_Frozen):
    """A debtor, creditor or ultimate party [Dbtr, Cdtr, UltmtDbtr, UltmtCdtr]."""

    name: ShortText
    account: Annotated[str, Field(max_length=70)] | None = None
    address: Address | None = None
    country: CountryCode | None = None
    id: Annotated[str, Field(max_length=70)] | None = None


class Agent(_Frozen):
    """A bank in the chain [DbtrAgt, CdtrAgt, IntrmyAgt, InstgAgt, InstdAgt]."""

    bic: BicCode | None = None
    name: ShortText | None = None
    country: CountryCode | None = None
    address: Address | None = None

    @field_validator("bic", mode="before")
    @classmethod
    def _upper_bic(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _bic_or_name(self) -> Agent:
        if not self.bic and not self.name:
            raise ValueError("an agent needs at least one of bic or name")
        return self


def _positive_amount(value: Decimal) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise ValueError("amount must be a finite number greater than 0")
    return value


Amount = Annotated[
    Decimal,
    Field(max_digits=30, decimal_places=8),
    AfterValidator(_positive_amount),
    PlainSerializer(lambda v: format(v, "f"), return_type=str, when_used="json"),
]


class Payment(_Frozen):
    """A credit transfer as published on the payments topic (ISO 20022 pacs.008 roles)."""

    payment_id: Annotated[str, Field(min_length=1, max_length=140)]
    uetr: Annotated[
        str,
        Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
    ] | None = None
    created_at: Timestamp
    amount: Amount
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    debtor: Party
    debtor_agent: Agent
    creditor_agent: Agent
    creditor: Party
    intermediary_agents: Annotated[list[Agent], Field(max_length=10)] = Field(default_factory=list)
    instructing_agent: Agent | None = None
    instructed_agent: Agent | None = None
    ultimate_debtor: Party | None = None
    ultimate_creditor: Party | None = None
    purpose: Annotated[str, Field(max_length=140)] | None = None
    remittance_info: Annotated[str, Field(max_length=1400)] | None = None


class Hit(_Frozen):
    """One reason a payment was flagged: a rule, the role and field it looked at, and why."""

    rule_id: str
    role: str
    field: str
    value: str
    list: str | None = None
    entry_id: str | None = None
    entry_name: str | None = None
    programs: builtins.list[str] = Field(default_factory=builtins.list)
    score: Annotated[float, Field(ge=0, le=100)] | None = None
    explanation: str


class SuppressedHit(_Frozen):
    """A hit cleared by an allow-list entry: recorded, never silently dropped."""

    hit: Hit
    allow_id: str
    reason: str
    approver: str
    expires: str


class Alert(_Frozen):
    """One alert per flagged payment, carrying every rule that fired."""

    alert_id: str
    payment_id: str
    action: Action
    severity: Severity
    hits: Annotated[list[Hit], Field(min_length=1)]
    ruleset_version: str
    lists_version: dict[str, str]
    screened_at: Timestamp


class ScreeningResult(_Frozen):
    """One decision per payment, flagged or not, so every payment is accounted for."""

    payment_id: str
    decision: Decision
    alert_id: str | None = None
    ruleset_version: str
    lists_version: dict[str, str]
    screened_at: Timestamp
    latency_ms: Annotated[float, Field(ge=0)]
    suppressed: list[SuppressedHit] = Field(default_factory=list)


class DeadLetter(_Frozen):
    """A record that could not be screened, untouched, with the reason beside it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    error: str
    error_type: str
    topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    raw: str
    raw_encoding: Literal["utf-8", "base64"] = "utf-8"


SCHEMAS: dict[str, type[BaseModel]] = {
    "payment": Payment,
    "alert": Alert,
    "result": ScreeningResult,
    "dead-letter": DeadLetter,
}
