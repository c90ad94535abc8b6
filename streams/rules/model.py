"""The rule language as frozen pydantic models: rules, conditions, named sets, macros, allow-list.

A condition is a mapping with exactly one operator key; the operators form a closed set and
nothing in a rule file is ever executed.
"""

from __future__ import annotations

import builtins
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from streams.models import Action, Severity

__all__ = [
    "AGENT_ROLES",
    "PARTY_ROLES",
    "ROLE_GROUPS",
    "TEXT_ROLES",
    "AllowEntry",
    "Condition",
    "Macro",
    "NamedSet",
    "OPERATORS",
    "Rule",
    "RuleFile",
]

PARTY_ROLES = ("debtor", "creditor", "ultimate_debtor", "ultimate_creditor")
AGENT_ROLES = (
    "debtor_agent", "creditor_agent", "intermediary_agents", "instructing_agent",
    "instructed_agent",
)
TEXT_ROLES = ("remittance_info", "purpose")
ROLE_GROUPS: dict[str, tuple[str, ...]] = {
    "parties": PARTY_ROLES, "agents": AGENT_ROLES, "text": TEXT_ROLES,
}
RoleName = Literal[
    "debtor", "creditor", "ultimate_debtor", "ultimate_creditor",
    "debtor_agent", "creditor_agent", "intermediary_agents", "instructing_agent",
    "instructed_agent", "remittance_info", "purpose", "parties", "agents", "text",
]
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
EntityTypeName = Literal["person", "organization", "vessel", "aircraft"]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ListMatch(_Strict):
    """Names of the role screened against the loaded lists."""

    lists: list[str] | None = Field(None, description="list ids; omitted means every list")
    programs: list[str] | None = Field(None, description="any of these; 'DPRK*' is a prefix")
    min_score: float = Field(90.0, ge=0, le=100)
    entity_types: list[EntityTypeName] | None = None


class IdentifierMatch(_Strict):
    """Identifiers of the role (BIC, account or IBAN, IMO number in text) found on a list."""

    kinds: Annotated[list[Literal["bic", "account", "imo"]], Field(min_length=1)]
    lists: list[str] | None = None
    programs: list[str] | None = None


class MemberOf(_Strict):
    """The role's bank or party is in a named set: a set file, `nk_banks`, or `list:<id>`."""

    set: str
    by: list[Literal["bic", "name"]] = ["bic", "name"]
    min_score: float = Field(90.0, ge=0, le=100, description="for names screened against lists")


class CountryIn(_Strict):
    """A country of the role (residence, address, BIC letters 5-6) is in a set."""

    set: str | None = None
    values: list[Country] | None = None
    fields: list[Literal["country", "address_country", "bic_country"]] = [
        "country", "address_country", "bic_country"]

    @model_validator(mode="after")
    def _one_source(self) -> CountryIn:
        if (self.set is None) == (self.values is None):
            raise ValueError("give exactly one of `set` or `values`")
        return self


class TextMatch(_Strict):
    """Keywords or phrases in the role's free text, name or address (normalised, whole words)."""

    set: str | None = None
    keywords: list[str] | None = None
    unless: list[str] = Field(default_factory=list, description="phrases that cancel a match")
    fields: list[Literal["text", "name", "address"]] = ["text", "name", "address"]

    @model_validator(mode="after")
    def _one_source(self) -> TextMatch:
        if (self.set is None) == (self.keywords is None):
            raise ValueError("give exactly one of `set` or `keywords`")
        return self


class AmountCompare(_Strict):
    """The payment amount compared with bounds, optionally only in some currencies."""

    gt: Decimal | None = None
    gte: Decimal | None = None
    lt: Decimal | None = None
    lte: Decimal | None = None
    currencies: list[Currency] | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> AmountCompare:
        if all(v is None for v in (self.gt, self.gte, self.lt, self.lte)):
            raise ValueError("give at least one of gt, gte, lt, lte")
        return self


class CurrencyIn(_Strict):
    """The payment currency is in a set."""

    set: str | None = None
    values: list[Currency] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> CurrencyIn:
        if (self.set is None) == (self.values is None):
            raise ValueError("give exactly one of `set` or `values`")
        return self


class WindowAggregate(_Strict):
    """Count and sum of payments sharing a key within a time window, this payment included."""

    key: Literal["debtor_creditor", "debtor", "creditor"] = "debtor_creditor"
    seconds: int = Field(gt=0, le=366 * 86400)
    count_gte: int | None = Field(None, ge=1)
    sum_gte: Decimal | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _some_threshold(self) -> WindowAggregate:
        if self.count_gte is None and self.sum_gte is None:
            raise ValueError("give at least one of count_gte, sum_gte")
        return self


class ListMatchCond(_Strict):
    list_match: ListMatch


class IdentifierMatchCond(_Strict):
    identifier_match: IdentifierMatch


class MemberOfCond(_Strict):
    member_of: MemberOf


class CountryInCond(_Strict):
    country_in: CountryIn


class TextMatchCond(_Strict):
    text_match: TextMatch


class AmountCond(_Strict):
    amount: AmountCompare


class CurrencyCond(_Strict):
    currency_in: CurrencyIn


class WindowCond(_Strict):
    window: WindowAggregate


class MacroCond(_Strict):
    use: Identifier


class AllCond(_Strict):
    all: Annotated[list[Condition], Field(min_length=1)]


class AnyCond(_Strict):
    any: Annotated[list[Condition], Field(min_length=1)]


class NotCond(_Strict):
    not_: Condition = Field(alias="not")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


OPERATORS: dict[str, type[BaseModel]] = {
    "list_match": ListMatchCond, "identifier_match": IdentifierMatchCond,
    "member_of": MemberOfCond, "country_in": CountryInCond, "text_match": TextMatchCond,
    "amount": AmountCond, "currency_in": CurrencyCond, "window": WindowCond,
    "use": MacroCond, "all": AllCond, "any": AnyCond, "not": NotCond,
}
ROLE_OPERATORS = frozenset({"list_match", "identifier_match", "member_of", "country_in",
                            "text_match"})


def _operator_of(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if key in OPERATORS else None
    if isinstance(value, BaseModel):
        for name, model in OPERATORS.items():
            if type(value) is model:
                return name
    return None


Condition = Annotated[
    Union[  # noqa: UP007  (a discriminated union of every operator)
        Annotated[ListMatchCond, Tag("list_match")],
        Annotated[IdentifierMatchCond, Tag("identifier_match")],
        Annotated[MemberOfCond, Tag("member_of")],
        Annotated[CountryInCond, Tag("country_in")],
        Annotated[TextMatchCond, Tag("text_match")],
        Annotated[AmountCond, Tag("amount")],
        Annotated[CurrencyCond, Tag("currency_in")],
        Annotated[WindowCond, Tag("window")],
        Annotated[MacroCond, Tag("use")],
        Annotated[AllCond, Tag("all")],
        Annotated[AnyCond, Tag("any")],
        Annotated[NotCond, Tag("not")],
    ],
    Discriminator(
        _operator_of,
        custom_error_type="condition",
        custom_error_message="expected a mapping with exactly one operator: "
        + ", ".join(OPERATORS),
    ),
]

for _model in (AllCond, AnyCond, NotCond):
    _model.model_rebuild()


class Rule(_Strict):
    """One rule: what it looks at, when it fires, and what the alert asks for."""

    id: Identifier
    version: int = Field(ge=1)
    description: Annotated[str, Field(min_length=1)]
    severity: Severity
    action: Action
    enabled: bool = True
    roles: list[RoleName] = Field(default_factory=list)
    when: Condition


class NamedSet(_Strict):
    """A reusable named list of values: countries, keywords, names, BICs or currencies."""

    kind: Literal["countries", "keywords", "names", "bics", "currencies"]
    description: str = ""
    values: Annotated[list[str], Field(min_length=1)]

    @model_validator(mode="after")
    def _values_fit_kind(self) -> NamedSet:
        import re

        patterns = {"countries": r"^[A-Z]{2}$", "currencies": r"^[A-Z]{3}$",
                    "bics": r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$"}
        pattern = patterns.get(self.kind)
        if pattern:
            bad = [v for v in self.values if not re.match(pattern, v)]
            if bad:
                raise ValueError(f"not valid {self.kind}: {', '.join(bad[:5])}")
        return self


class Macro(_Strict):
    """A named, reusable condition, referenced from rules as `use: <name>`."""

    description: str = ""
    condition: Condition


class AllowEntry(_Strict):
    """A cleared false positive: this party (by name or account) is not this list entry."""

    id: Identifier
    name: str | None = None
    account: str | None = None
    list: str
    entry_id: str
    rules: builtins.list[str] | None = Field(None, description="only these rule ids; omitted = all")
    reason: Annotated[str, Field(min_length=1)]
    approver: Annotated[str, Field(min_length=1)]
    expires: date

    @model_validator(mode="after")
    def _name_or_account(self) -> AllowEntry:
        if not self.name and not self.account:
            raise ValueError("give the party `name` or `account` (or both)")
        return self


class RuleFile(_Strict):
    """One YAML file under rules/: any of rules, sets, macros and allow entries."""

    rules: list[Rule] = Field(default_factory=list)
    sets: dict[Identifier, NamedSet] = Field(default_factory=dict)
    macros: dict[Identifier, Macro] = Field(default_factory=dict)
    allow: list[AllowEntry] = Field(default_factory=list)
