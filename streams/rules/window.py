"""Windowed aggregates: how many payments, and how much, share a key within a time window.

The engine talks to a WindowStore protocol; the worker backs it with a Faust table (so the
totals survive restarts and follow their partition), replay and tests use the in-memory store.
Adding is idempotent per payment id: an at-least-once redelivery never counts twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from streams.models import Party, Payment
from streams.rules.text import compact_account, normalize_text

__all__ = [
    "InMemoryWindowStore", "ProbeWindowStore", "WindowEntries", "WindowStore", "WindowTotals",
    "party_key", "routing_key", "window_key",
]


@dataclass(frozen=True, slots=True)
class WindowTotals:
    """The count and sum of the payments within the window, the current one included."""

    count: int
    total: Decimal


class WindowStore(Protocol):
    """Keeps recent payments per key; `add` records one and returns the totals of its window."""

    def add(self, key: str, payment_id: str, at: datetime, amount: Decimal,
            window_seconds: float) -> WindowTotals: ...


def party_key(party: Party) -> str:
    """Who a party is for windowed rules: its account when it has one, else its name."""
    if party.account:
        return "acct:" + compact_account(party.account)
    return "name:" + normalize_text(party.name)


def routing_key(payment: Payment) -> str:
    """A key that names no party and puts every payment of one debtor on one partition.

    The worker re-keys payments by it before the windowed rules run, so that the window
    totals of one debtor (alone or with a creditor) live on one partition of the table.
    """
    return hashlib.sha256(party_key(payment.debtor).encode("utf-8")).hexdigest()[:32]


def window_key(rule_id: str, *parts: str) -> str:
    """A store key that names no party: the rule id and a hash of the normalised key parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"{rule_id}:{digest}"


class WindowEntries:
    """The payments of one key as a plain dict (payment id -> [iso time, amount string]).

    Kept JSON-friendly so a Faust table can store it as is; `add` prunes what has left every
    window and returns the totals for the current payment's window.
    """

    @staticmethod
    def add(entries: dict[str, list[str]], payment_id: str, at: datetime, amount: Decimal,
            window_seconds: float) -> WindowTotals:
        """Record one payment in `entries` (in place) and total the window ending at `at`."""
        entries.setdefault(payment_id, [at.isoformat(), format(amount, "f")])
        start = at - timedelta(seconds=window_seconds)
        latest = max(datetime.fromisoformat(t) for t, _ in entries.values())
        horizon = latest - timedelta(seconds=window_seconds)
        count, total = 0, Decimal(0)
        for pid in list(entries):
            when = datetime.fromisoformat(entries[pid][0])
            if when < horizon:
                del entries[pid]
                continue
            if start <= when <= at:
                count += 1
                total += Decimal(entries[pid][1])
        return WindowTotals(count, total)


class InMemoryWindowStore:
    """A WindowStore in a dict, for replay, fixtures and tests."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, list[str]]] = {}

    def add(self, key: str, payment_id: str, at: datetime, amount: Decimal,
            window_seconds: float) -> WindowTotals:
        """Record one payment under `key` (once per payment id) and total its window."""
        entries = self._entries.setdefault(key, {})
        return WindowEntries.add(entries, payment_id, at, amount, window_seconds)

    def __len__(self) -> int:
        return len(self._entries)


class ProbeWindowStore:
    """A WindowStore that stores nothing: it notes that a window was reached and answers alone.

    The worker screens a payment with a probe first: when no windowed condition is reached
    (`touched` stays False) the outcome cannot depend on any window and is final; otherwise
    the payment is screened again with the real store. The totals returned are those of a
    window holding only this payment.
    """

    def __init__(self) -> None:
        self.touched = False

    def add(self, key: str, payment_id: str, at: datetime, amount: Decimal,
            window_seconds: float) -> WindowTotals:
        """Note the touch and total a window of this payment alone; nothing is kept."""
        self.touched = True
        return WindowTotals(1, amount)
