"""Rule tests: fixture files of payments and the alert each must (or must not) produce.

A fixture file (rules/tests/*.yaml) holds cases; a case is one payment or a sequence (for
windowed rules, checked on the last payment), merged over a clean base payment and the file's
`defaults`. Each case runs with a fresh window store, through the PaymentScreener.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from streams.models import Action, Payment
from streams.pipeline import PaymentScreener
from streams.rules.loader import RuleSetInvalid, line_of, parse_yaml_model

__all__ = [
    "BASE_PAYMENT", "Case", "CaseResult", "Expectation", "FixtureFile", "describe", "fixture_files",
    "run_fixture_file",
]

BASE_PAYMENT: dict[str, Any] = {
    "created_at": "2026-01-05T09:00:00Z",
    "amount": "2500.00",
    "currency": "EUR",
    "debtor": {"name": "Muster Maschinenbau GmbH", "country": "DE",
               "address": {"town": "Stuttgart", "country": "DE"}},
    "debtor_agent": {"bic": "COBADEFF", "name": "Commerzbank AG", "country": "DE"},
    "creditor_agent": {"bic": "BNPAFRPP", "name": "BNP Paribas", "country": "FR"},
    "creditor": {"name": "Atelier Dupont SARL", "country": "FR",
                 "address": {"town": "Lyon", "country": "FR"}},
    "remittance_info": "Invoice 4711 machine parts",
}


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Expectation(_Strict):
    """What a case expects: no alert, or an alert from these rules on (at least) these roles."""

    alert: bool = True
    rules: dict[str, list[str]] = Field(default_factory=dict)
    exact: bool = Field(True, description="no rule other than those in `rules` may fire")
    not_rules: list[str] = Field(default_factory=list)
    action: Action | None = None
    suppressed: list[str] = Field(default_factory=list, description="rule ids of cleared hits")

    @model_validator(mode="after")
    def _consistent(self) -> Expectation:
        if not self.alert and (self.rules or self.action):
            raise ValueError("`alert: false` takes no `rules` or `action`")
        if self.alert and not self.rules and not self.not_rules:
            raise ValueError("give the `rules` the alert must carry, or `alert: false`")
        return self


class Case(_Strict):
    """One payment, or a sequence of payments, and the expectation for the last one."""

    name: Annotated[str, Field(min_length=1)]
    payment: dict[str, Any] | None = None
    payments: list[dict[str, Any]] | None = None
    expect: Expectation

    @model_validator(mode="after")
    def _one_input(self) -> Case:
        if (self.payment is None) == (self.payments is None):
            raise ValueError("give exactly one of `payment` or `payments`")
        return self


class FixtureFile(_Strict):
    """A file of rule tests."""

    description: str = ""
    requires_lists: list[str] = Field(default_factory=list,
                                      description="skip the file unless these lists are loaded")
    defaults: dict[str, Any] = Field(default_factory=dict)
    cases: Annotated[list[Case], Field(min_length=1)]


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of one case."""

    file: str
    line: int | None
    name: str
    status: Literal["passed", "failed", "skipped", "error"]
    message: str = ""


def fixture_files(rules_dir: Path) -> list[Path]:
    """The fixture files of a rule directory (rules/tests/*.yaml)."""
    tests = rules_dir / "tests"
    return sorted([*tests.glob("*.yaml"), *tests.glob("*.yml")]) if tests.is_dir() else []


def merge_overrides(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of `base` with `over` merged in; a None value removes the key."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_overrides(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _payments(case: Case, defaults: dict[str, Any], prefix: str) -> list[Payment]:
    raws = case.payments if case.payments is not None else [case.payment or {}]
    start = datetime.fromisoformat(BASE_PAYMENT["created_at"].replace("Z", "+00:00"))
    out = []
    for i, raw in enumerate(raws):
        data = merge_overrides(merge_overrides(BASE_PAYMENT, defaults), raw)
        data.setdefault("payment_id", f"{prefix}-{i}")
        if "created_at" not in raw and "created_at" not in defaults:
            data["created_at"] = (start + timedelta(minutes=i)).astimezone(timezone.utc).isoformat()
        out.append(Payment.model_validate(data))
    return out


def _check(expect: Expectation, screener: PaymentScreener, payment: Payment) -> str:
    outcome = screener.screen(payment)
    fired: dict[str, set[str]] = {}
    for hit in outcome.alert.hits if outcome.alert else []:
        fired.setdefault(hit.rule_id, set()).add(hit.role)
    suppressed = {s.hit.rule_id for s in outcome.result.suppressed}
    problems = []
    summary = ", ".join(f"{r} on {sorted(roles)}" for r, roles in sorted(fired.items())) or "none"
    if not expect.alert and outcome.alert is not None:
        problems.append(f"expected no alert, got rules {summary}")
    if expect.alert and expect.rules and outcome.alert is None:
        problems.append(f"expected an alert from {sorted(expect.rules)}, got none")
    for rule_id, roles in expect.rules.items():
        if rule_id not in fired:
            if outcome.alert is not None:
                problems.append(f"rule {rule_id} did not fire (fired: {summary})")
        elif missing := set(roles) - fired[rule_id]:
            problems.append(f"rule {rule_id} missed roles {sorted(missing)} (hit "
                            f"{sorted(fired[rule_id])})")
    if expect.exact and expect.alert and expect.rules:
        extra = set(fired) - set(expect.rules)
        if extra:
            problems.append(f"unexpected rules fired: {sorted(extra)} ({summary})")
    for rule_id in expect.not_rules:
        if rule_id in fired:
            problems.append(f"rule {rule_id} fired on {sorted(fired[rule_id])} but must not")
    if expect.action and outcome.alert and outcome.alert.action != expect.action:
        problems.append(f"expected action {expect.action}, got {outcome.alert.action}")
    for rule_id in expect.suppressed:
        if rule_id not in suppressed:
            problems.append(f"expected a suppressed hit of {rule_id}, got {sorted(suppressed)}")
    return "; ".join(problems)


def run_fixture_file(path: Path, make_screener: Callable[[], PaymentScreener],
                     loaded_lists: set[str]) -> list[CaseResult]:
    """Run every case of one fixture file; `make_screener` gives a screener with a fresh store."""
    try:
        fixture, node, _ = parse_yaml_model(path, FixtureFile)
    except RuleSetInvalid as exc:
        return [CaseResult(str(path), e.line, e.field or "(file)", "error", e.reason)
                for e in exc.errors]
    missing = sorted(set(fixture.requires_lists) - loaded_lists)
    results = []
    for index, case in enumerate(fixture.cases):
        line = line_of(node, ("cases", index))
        if missing:
            results.append(CaseResult(str(path), line, case.name, "skipped",
                                      f"needs lists {missing}"))
            continue
        try:
            payments = _payments(case, fixture.defaults, f"{path.stem}-{index}")
        except ValidationError as exc:
            results.append(CaseResult(str(path), line, case.name, "error",
                                      f"not a valid payment: {exc.errors()[0]['loc']}: "
                                      f"{exc.errors()[0]['msg']}"))
            continue
        screener = make_screener()
        for payment in payments[:-1]:
            screener.screen(payment)
        problem = _check(case.expect, screener, payments[-1])
        results.append(CaseResult(str(path), line, case.name,
                                  "failed" if problem else "passed", problem))
    return results


def describe(result: CaseResult) -> str:
    """One line for a case result: file:line, name, status and the reason."""
    where = f"{result.file}:{result.line}" if result.line else result.file
    tail = f": {result.message}" if result.message else ""
    return f"{result.status.upper():7} {where} {result.name}{tail}"

