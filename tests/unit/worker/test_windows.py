"""The Faust-table window store, over a stand-in table: per-partition keys, exact local totals."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from streams.worker.windows import TableWindowStore

T0 = datetime(2016, 9, 1, 12, tzinfo=timezone.utc)
WEEK = 7 * 86400.0


class FakeTable:
    """What TableWindowStore uses of a Faust table: `data` and `send_changelog`.

    Each write's future completes when the test releases it; `in_flight` records how many
    writes were unacknowledged when each one was sent. `fail_first` fails that many writes.
    """

    def __init__(self, fail_first: int = 0) -> None:
        self.data: dict[str, Any] = {}
        self.changelog: list[tuple[int | None, str, dict[str, Any]]] = []
        self.futures: list[asyncio.Future[None]] = []
        self.in_flight: list[int] = []  # writes to the same partition not yet acknowledged
        self.overlapping: list[bool] = []  # any write not yet acknowledged
        self.fail_first = fail_first

    def send_changelog(self, partition: int | None, key: str, value: Any
                       ) -> asyncio.Future[None]:
        self.in_flight.append(sum(not f.done() for (p, _, _), f in
                                  zip(self.changelog, self.futures, strict=True)
                                  if p == partition))
        self.overlapping.append(any(not f.done() for f in self.futures))
        self.changelog.append((partition, key, dict(value)))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.fail_first:
            self.fail_first -= 1
            future.set_exception(TimeoutError("broker did not answer"))
        else:
            asyncio.get_running_loop().call_later(0.01, future.set_result, None)
        self.futures.append(future)
        return future


async def test_keys_are_scoped_by_partition_and_changelogged_there() -> None:
    table = FakeTable()
    store = TableWindowStore(table, partitions=4)
    store.bind(2)
    store.add("structuring:abc", "P1", T0, Decimal("9500"), WEEK)
    assert list(table.data) == ["2|structuring:abc"]
    assert table.changelog == []  # written when the batch drains, not per payment
    await asyncio.gather(*store.drain())
    assert [(p, k) for p, k, _ in table.changelog] == [(2, "2|structuring:abc")]
    assert store.drain() == []


async def test_a_batch_writes_each_key_once_and_one_write_at_a_time() -> None:
    table = FakeTable()
    store = TableWindowStore(table, partitions=4)
    store.bind(1)
    store.add("a", "P1", T0, Decimal("9500"), WEEK)
    store.add("b", "P2", T0, Decimal("9500"), WEEK)
    store.add("a", "P3", T0, Decimal("9600"), WEEK)
    [write] = store.drain()
    await write
    assert [k for _, k, _ in table.changelog] == ["1|a", "1|b"]
    assert set(table.changelog[0][2]) == {"P1", "P3"}  # the key's final entries
    assert table.in_flight == [0, 0]  # never two records in one producer batch
    assert all(f.done() for f in table.futures)


async def test_different_partitions_are_written_side_by_side() -> None:
    table = FakeTable()
    store = TableWindowStore(table, partitions=4)
    for partition in (0, 1, 0):
        store.bind(partition)
        store.add(f"k{len(table.data)}", f"P{len(table.data)}", T0, Decimal("9500"), WEEK)
    await asyncio.gather(*store.drain())
    assert sorted(p for p, _, _ in table.changelog) == [0, 0, 1]
    assert table.in_flight == [0, 0, 0]  # one at a time per partition
    assert any(table.overlapping)  # but partition 1 did not wait for partition 0


async def test_a_failed_changelog_write_is_written_again(monkeypatch: Any) -> None:
    monkeypatch.setattr("streams.worker.windows.RETRY_FIRST_PAUSE_SECONDS", 0.01)
    table = FakeTable(fail_first=1)
    store = TableWindowStore(table, partitions=2)
    store.add("a", "P1", T0, Decimal("9500"), WEEK)
    await asyncio.gather(*store.drain())
    assert [k for _, k, _ in table.changelog] == ["0|a", "0|a"]



async def test_batches_in_flight_write_in_drain_order_even_when_one_is_retried(
        monkeypatch: Any) -> None:
    # two batches in flight (streams/worker/inflight.py) write the same key; the first
    # write fails: its retry must not land after, and overwrite, the second batch's entries
    monkeypatch.setattr("streams.worker.windows.RETRY_FIRST_PAUSE_SECONDS", 0.05)
    table = FakeTable(fail_first=1)
    store = TableWindowStore(table, partitions=2)
    store.add("a", "P1", T0, Decimal("9500"), WEEK)
    [first] = store.drain()
    store.add("a", "P2", T0, Decimal("9500"), WEEK)
    [second] = store.drain()
    await asyncio.gather(first, second)
    assert [set(entries) for _, _, entries in table.changelog] == [
        {"P1"}, {"P1"}, {"P1", "P2"}]  # failed, written again, then the next batch's
    assert table.in_flight == [0, 0, 0]  # never two records in one producer batch

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
