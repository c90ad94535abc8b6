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

from collections.abc import Awaitable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import faust
from faust.types import TableT

from streams.rules.window import WindowEntries, WindowTotals

__all__ = ["TABLE_NAMES", "TableWindowStore", "make_window_table"]

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
        self._pending: list[Awaitable[Any]] = []

    def bind(self, partition: int | None) -> None:
        """Scope the next `add` calls to the input partition of the record being screened."""
        self.partition = partition or 0

    def drain(self) -> list[Awaitable[Any]]:
        """The changelog writes queued since the last drain (awaited before the batch is acked)."""
        pending, self._pending = self._pending, []
        return pending

    def add(self, key: str, payment_id: str, at: datetime, amount: Decimal,
            window_seconds: float) -> WindowTotals:
        """Record a payment under this partition's key; total its window over local partitions."""
        own_key = f"{self.partition}|{key}"
        data = self.table.data
        entries = dict(data.get(own_key) or {})
        own = WindowEntries.add(entries, payment_id, at, amount, window_seconds)
        data[own_key] = entries
        self._pending.append(self.table.send_changelog(self.partition, own_key, entries))
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
