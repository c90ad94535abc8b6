"""The rules' windowed aggregate on a Faust table, scoped by input partition.

Faust writes a table change to the changelog partition of the event being processed, and
restores changelog partition P on the worker that is given input partition P. Payments are
keyed by payment_id, so the payments of one debtor->creditor pair arrive on many partitions:
a table keyed by the window key alone would get the same key from several partitions and
restore it inconsistently after a rebalance. So every table key is `"{partition}|{window
key}"`: each key is only ever written from its own input partition, and its changelog
follows that partition to whichever worker holds it.

`add` records the payment under its own partition's key (idempotent per payment id, so a
redelivery never counts twice) and totals the window over every partition this worker holds.
The input partition is that of the topic the screening agent reads:
- window_partitioning="repartition" (the default): `<app_id>-payments-by-debtor`, keyed by
  the debtor's routing key (streams/worker/repartition.py). A debtor's windows (keys
  `debtor` and `debtor_creditor`) are then written from one partition only and their totals
  are exact with any number of workers.
- "local": the payments topic itself, keyed by payment_id. A worker holding all partitions
  sees exact totals; with several workers each totals the payments of its own partitions.
A window keyed by `creditor` alone is spread over partitions in both modes, so it is exact
only on a worker holding them all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import faust
from faust.types import TableT

from streams.rules.window import WindowEntries, WindowTotals
from streams.worker.processing import RETRY_FIRST_PAUSE_SECONDS, RETRY_MAX_PAUSE_SECONDS

__all__ = ["TABLE_NAMES", "TableWindowStore", "make_window_table"]

log = logging.getLogger(__name__)

#: The table of each window_partitioning mode: their keys are scoped by the partitions of
#: different input topics, so switching modes starts from empty windows, never mixed ones.
TABLE_NAMES = {"local": "windows", "repartition": "windows-by-debtor"}


def make_window_table(app: faust.App, partitions: int, mode: str = "local"
                      ) -> TableT[Any, Any]:
    """The table behind the window store: JSON keys and values, a changelog per partition."""
    return app.Table(
        TABLE_NAMES[mode], default=None, partitions=partitions,  # JSON keys and values
    )


class TableWindowStore:
    """A WindowStore (streams.rules.window) kept in a Faust table, one key per input partition."""

    def __init__(self, table: Any, partitions: int) -> None:
        self.table = table
        self.partitions = partitions
        self.partition = 0
        self._dirty: dict[tuple[int, str], dict[str, list[str]]] = {}
        self._writing: asyncio.Future[None] | None = None  # the last drain's write

    def bind(self, partition: int | None) -> None:
        """Scope the next `add` calls to the input partition of the record being screened."""
        self.partition = partition or 0

    def drain(self) -> list[Awaitable[Any]]:
        """The changelog writes of the keys changed since the last drain, as one awaitable.

        Awaited with the batch's messages, before its events are acked. Each key is written
        once, with its final entries, and one write at a time: the embedded broker (Tansu)
        reports a partition's end offset as the first offset of its last record batch plus
        one, so a restore would stop short of the later records of a multi-record batch
        (tests/integration/test_windows_exact.py reproduces it). One record per batch keeps
        every changelog record restorable, for the price of one round trip per changed key
        of a partition (partitions are written side by side).

        The write starts now and only after the previous drain's write has finished: with
        several batches in flight (streams/worker/inflight.py) two batches' writes of a key
        must neither share a producer batch nor land out of order (a retried older write
        would overwrite the newer entries in the changelog).
        """
        if not self._dirty:
            return []
        dirty, self._dirty = self._dirty, {}
        write = asyncio.ensure_future(self._write_after(self._writing, dirty))
        self._writing = write
        return [write]

    async def _write_after(self, previous: asyncio.Future[None] | None,
                           dirty: dict[tuple[int, str], dict[str, list[str]]]) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])  # done or cancelled: either way its turn is over
        await self._write(dirty)

    async def _write(self, dirty: dict[tuple[int, str], dict[str, list[str]]]) -> None:
        by_partition: dict[int, list[tuple[str, dict[str, list[str]]]]] = {}
        for (partition, key), entries in dirty.items():
            by_partition.setdefault(partition, []).append((key, entries))
        # record batches are per partition: partitions are written side by side
        await asyncio.gather(*(self._write_partition(partition, writes)
                               for partition, writes in by_partition.items()))

    async def _write_partition(self, partition: int,
                               writes: list[tuple[str, dict[str, list[str]]]]) -> None:
        for key, entries in writes:
            pause = RETRY_FIRST_PAUSE_SECONDS
            while True:  # like confirm_all: the batch is not acked until the write is out
                try:
                    await self.table.send_changelog(partition, key, entries)
                    break
                except Exception as exc:  # noqa: BLE001 - retried; cancellation still ends it
                    log.warning("window changelog write to partition %d failed (%s); "
                                "writing it again in %.1f s", partition, exc, pause)
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, RETRY_MAX_PAUSE_SECONDS)

    def add(self, key: str, payment_id: str, at: datetime, amount: Decimal,
            window_seconds: float) -> WindowTotals:
        """Record a payment under this partition's key; total its window over local partitions."""
        own_key = f"{self.partition}|{key}"
        data = self.table.data
        entries = dict(data.get(own_key) or {})
        own = WindowEntries.add(entries, payment_id, at, amount, window_seconds)
        data[own_key] = entries
        self._dirty[(self.partition, own_key)] = entries
        count, total = own.count, own.total
        start = at - timedelta(seconds=window_seconds)
        for partition in range(self.partitions):
            if partition == self.partition:
                continue
            other = data.get(f"{partition}|{key}")
            if not other:
                continue
            for pid, (when, value) in other.items():
                if pid in entries:
                    continue  # the same payment seen on two partitions counts once
                if start <= datetime.fromisoformat(when) <= at:
                    count += 1
                    total += Decimal(value)
        return WindowTotals(count, total)
