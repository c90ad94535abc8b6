"""Compiling conditions into evaluators: combinators, payment operators and the windowed aggregate.

An evaluator returns None when its condition does not hold, else the findings that explain
why it holds (possibly none, for conditions on the payment as a whole such as `amount`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from pydantic import BaseModel

from streams.rules import matchers
from streams.rules.context import Context, Finding, Subject
from streams.rules.matchers import Leaf, SetTable
from streams.rules.model import (
    AllCond,
    AmountCompare,
    AmountCond,
    AnyCond,
    CountryInCond,
    CurrencyCond,
    CurrencyIn,
    IdentifierMatchCond,
    ListMatchCond,
    Macro,
    MacroCond,
    MemberOfCond,
    NotCond,
    TextMatchCond,
    WindowAggregate,
    WindowCond,
)
from streams.rules.window import party_key, window_key

__all__ = ["ConditionCompiler", "Evaluator"]

Evaluator = Leaf


def _amount(spec: AmountCompare) -> Evaluator:
    currencies = frozenset(spec.currencies) if spec.currencies is not None else None

    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        payment = ctx.payment
        amount = payment.amount
        if currencies is not None and payment.currency not in currencies:
            return None
        if spec.gt is not None and not amount > spec.gt:
            return None
        if spec.gte is not None and not amount >= spec.gte:
            return None
        if spec.lt is not None and not amount < spec.lt:
            return None
        if spec.lte is not None and not amount <= spec.lte:
            return None
        return []

    return evaluate


def _currency(spec: CurrencyIn, sets: SetTable) -> Evaluator:
    wanted = frozenset(spec.values) if spec.values is not None else sets.values[spec.set or ""]

    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        return [] if ctx.payment.currency in wanted else None

    return evaluate


def _window(spec: WindowAggregate) -> Evaluator:
    span = _describe_seconds(spec.seconds)

    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        payment = ctx.payment
        parts: list[str] = []
        if spec.key in ("debtor_creditor", "debtor"):
            parts.append(party_key(payment.debtor))
        if spec.key in ("debtor_creditor", "creditor"):
            parts.append(party_key(payment.creditor))
        key = window_key(ctx.rule_id, spec.key, payment.currency, *parts)
        totals = ctx.store.add(key, payment.payment_id, payment.created_at, payment.amount,
                               float(spec.seconds))
        if spec.count_gte is not None and totals.count < spec.count_gte:
            return None
        if spec.sum_gte is not None and totals.total < spec.sum_gte:
            return None
        role = "creditor" if spec.key == "creditor" else "debtor"
        value = {"debtor_creditor": f"{payment.debtor.name} -> {payment.creditor.name}",
                 "debtor": payment.debtor.name, "creditor": payment.creditor.name}[spec.key]
        limits = []
        if spec.count_gte is not None:
            limits.append(f"at least {spec.count_gte} payments")
        if spec.sum_gte is not None:
            limits.append(f"a total of at least {_money(spec.sum_gte)} {payment.currency}")
        explanation = (f"{totals.count} payments totalling {_money(totals.total)} "
                       f"{payment.currency} from {value} within {span}; the rule asks for "
                       + " and ".join(limits))
        return [Finding(role, "window", value, explanation)]

    return evaluate


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _describe_seconds(seconds: int) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} seconds"


def _all(parts: list[Evaluator]) -> Evaluator:
    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        found: list[Finding] = []
        for part in parts:
            result = part(ctx, subject)
            if result is None:
                return None
            found += result
        return found

    return evaluate


def _any(parts: list[Evaluator]) -> Evaluator:
    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        found: list[Finding] | None = None
        for part in parts:
            result = part(ctx, subject)
            if result is not None:
                found = (found or []) + result
        return found

    return evaluate


def _not(part: Evaluator) -> Evaluator:
    def evaluate(ctx: Context, subject: Subject | None) -> list[Finding] | None:
        return [] if part(ctx, subject) is None else None

    return evaluate


class ConditionCompiler:
    """Turns validated condition models into evaluators, resolving sets and macros once."""

    def __init__(self, sets: SetTable, macros: dict[str, Macro]) -> None:
        self.sets = sets
        self.macros = macros
        self._compiled_macros: dict[str, Evaluator] = {}

    def compile(self, cond: BaseModel) -> Evaluator:
        """The evaluator of one condition."""
        handlers: dict[type[BaseModel], Callable[[BaseModel], Evaluator]] = {
            ListMatchCond: lambda c: matchers.list_match(c.list_match),  # type: ignore[attr-defined]
            IdentifierMatchCond: lambda c: matchers.identifier_match(
                c.identifier_match),  # type: ignore[attr-defined]
            MemberOfCond: lambda c: matchers.member_of(c.member_of, self.sets),  # type: ignore[attr-defined]
            CountryInCond: lambda c: matchers.country_in(c.country_in, self.sets),  # type: ignore[attr-defined]
            TextMatchCond: lambda c: matchers.text_match(c.text_match, self.sets),  # type: ignore[attr-defined]
            AmountCond: lambda c: _amount(c.amount),  # type: ignore[attr-defined]
            CurrencyCond: lambda c: _currency(c.currency_in, self.sets),  # type: ignore[attr-defined]
            WindowCond: lambda c: _window(c.window),  # type: ignore[attr-defined]
            AllCond: lambda c: _all([self.compile(s) for s in c.all]),  # type: ignore[attr-defined]
            AnyCond: lambda c: _any([self.compile(s) for s in c.any]),  # type: ignore[attr-defined]
            NotCond: lambda c: _not(self.compile(c.not_)),  # type: ignore[attr-defined]
            MacroCond: lambda c: self._macro(c.use),  # type: ignore[attr-defined]
        }
        return handlers[type(cond)](cond)

    def _macro(self, name: str) -> Evaluator:
        if name not in self._compiled_macros:
            self._compiled_macros[name] = self.compile(self.macros[name].condition)
        return self._compiled_macros[name]
