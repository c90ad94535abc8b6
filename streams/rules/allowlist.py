"""The allow-list: cleared false positives, matched by party name or account and list entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from streams.models import Hit, SuppressedHit
from streams.rules.context import Subject
from streams.rules.model import AllowEntry
from streams.rules.text import compact_account, normalize_text

__all__ = ["AllowList"]


class AllowList:
    """Finds the allow entry, if any, that clears one hit of one subject on a given day."""

    def __init__(self, entries: Sequence[AllowEntry]) -> None:
        self._by_entry: dict[tuple[str, str], list[AllowEntry]] = {}
        for entry in entries:
            self._by_entry.setdefault((entry.list, entry.entry_id), []).append(entry)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_entry.values())

    def match(self, hit: Hit, subject: Subject | None, today: date) -> AllowEntry | None:
        """The unexpired entry that clears `hit` for this subject, or None."""
        if hit.list is None or hit.entry_id is None or subject is None:
            return None
        candidates = self._by_entry.get((hit.list, hit.entry_id))
        if not candidates:
            return None
        name = normalize_text(subject.name) if subject.name else None
        account = None
        if subject.party is not None and subject.party.account:
            account = compact_account(subject.party.account)
        for entry in candidates:
            if entry.expires < today:
                continue
            if entry.rules is not None and hit.rule_id not in entry.rules:
                continue
            if entry.name is not None and normalize_text(entry.name) != name:
                continue
            if entry.account is not None and compact_account(entry.account) != account:
                continue
            return entry
        return None

    @staticmethod
    def suppressed(hit: Hit, entry: AllowEntry) -> SuppressedHit:
        """The record of a hit cleared by `entry`, kept in the screening result."""
        return SuppressedHit(hit=hit, allow_id=entry.id, reason=entry.reason,
                             approver=entry.approver, expires=entry.expires.isoformat())
