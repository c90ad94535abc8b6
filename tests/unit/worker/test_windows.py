"""The Faust-table window store, over a stand-in table: per-partition keys, exact local totals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from streams.worker.windows import TableWindowStore

T0 = datetime(2016, 9, 1, 12, tzinfo=timezone.utc)
WEEK = 7 * 86400.0


class FakeTable:
    """What TableWindowStore uses of a Faust table: `data` and `send_changelog`."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.changelog: list[tuple[int | None, str, dict[str, Any]]] = []

    def send_changelog(self, partition: int | None, key: str, value: Any) -> str:
        self.changelog.append((partition, key, dict(value)))
        return f"future-{len(self.changelog)}"


def test_keys_are_scoped_by_partition_and_changelogged_there() -> None:
    table = FakeTable()
    store = TableWindowStore(table, partitions=4)
    store.bind(2)
    store.add("structuring:abc", "P1", T0, Decimal("9500"), WEEK)
    assert list(table.data) == ["2|structuring:abc"]
    assert [(p, k) for p, k, _ in table.changelog] == [(2, "2|structuring:abc")]
    assert store.drain() == ["future-1"]
    assert store.drain() == []


def test_totals_cover_every_local_partition_within_the_window() -> None:
    store = TableWindowStore(FakeTable(), partitions=4)
    store.bind(0)
    store.add("k", "P1", T0, Decimal("9000"), WEEK)
    store.bind(3)
    store.add("k", "P2", T0 + timedelta(days=1), Decimal("9100"), WEEK)
    store.bind(1)
    totals = store.add("k", "P3", T0 + timedelta(days=2), Decimal("9200"), WEEK)
    assert (totals.count, totals.total) == (3, Decimal("27300"))
    later = store.add("k", "P4", T0 + timedelta(days=7, hours=1), Decimal("9300"), WEEK)
    assert (later.count, later.total) == (3, Decimal("27600"))  # P1 has left the window


def test_a_redelivered_payment_counts_once() -> None:
    store = TableWindowStore(FakeTable(), partitions=2)
    store.bind(1)
    store.add("k", "P1", T0, Decimal("9000"), WEEK)
    again = store.add("k", "P1", T0, Decimal("9000"), WEEK)
    assert (again.count, again.total) == (1, Decimal("9000"))


def test_other_keys_do_not_count() -> None:
    store = TableWindowStore(FakeTable(), partitions=2)
    store.bind(0)
    store.add("a", "P1", T0, Decimal("9000"), WEEK)
    totals = store.add("b", "P2", T0, Decimal("9000"), WEEK)
    assert totals.count == 1
