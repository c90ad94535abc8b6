"""The loaded sanctions lists as one queryable set, and a holder that keeps the last good set."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from streams.errors import ListLoadError
from streams.screening.entities import Entity, ListSnapshot, normalize_bic, normalize_imo
from streams.screening.nk import NorthKoreaBanks
from streams.screening.sources import list_files, load_list_file

__all__ = ["ListSet", "ListSetHolder", "load_lists", "normalize_identifier"]


_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def normalize_identifier(kind: str, value: str) -> str | None:
    """The lookup key of an identifier: BIC head (8 chars), IMO digits, else upper alphanumerics."""
    if kind == "bic":
        bic = normalize_bic(value)
        return bic[:8] if bic else None
    if kind == "imo":
        return normalize_imo(value)
    if value.isascii() and value.isalnum():  # most account numbers: nothing to strip
        return value.upper()
    key = _NOT_ALNUM.sub("", value).upper()
    return key or None


class ListSet:
    """Every loaded list, by list id, with lookups by entry id and by identifier."""

    def __init__(self, snapshots: Mapping[str, ListSnapshot], load_seconds: float = 0.0) -> None:
        self.snapshots: dict[str, ListSnapshot] = dict(snapshots)
        self.load_seconds = load_seconds
        self._by_entry: dict[tuple[str, str], Entity] = {}
        by_identifier: dict[tuple[str, str], list[Entity]] = {}
        for snapshot in self.snapshots.values():
            for entity in snapshot.entities:
                self._by_entry[(entity.list_id, entity.entry_id)] = entity
                for identifier in entity.identifiers:
                    key = normalize_identifier(identifier.kind, identifier.value)
                    if key is None:
                        continue
                    bucket = by_identifier.setdefault((identifier.kind, key), [])
                    if not bucket or bucket[-1] is not entity:
                        bucket.append(entity)
        # tuples: handed out as they are (a lookup per party and bank of every payment)
        self._by_identifier: dict[tuple[str, str], tuple[Entity, ...]] = {
            key: tuple(bucket) for key, bucket in by_identifier.items()}
        self._nk_banks: NorthKoreaBanks | None = None

    def versions(self) -> dict[str, str]:
        """list_id -> version, stamped on every alert and screening result."""
        return {list_id: s.version for list_id, s in sorted(self.snapshots.items())}

    def entities(self) -> Iterator[Entity]:
        """Every entry of every list."""
        for snapshot in self.snapshots.values():
            yield from snapshot.entities

    def get(self, list_id: str, entry_id: str) -> Entity | None:
        """One entry by its list id and the list's own id."""
        return self._by_entry.get((list_id, entry_id))

    def by_identifier(self, kind: str, value: str) -> tuple[Entity, ...]:
        """Entries listed with an identifier; a BIC matches on its 8-character head."""
        key = normalize_identifier(kind, value)
        if key is None:
            return ()
        return self._by_identifier.get((kind, key), ())

    @property
    def nk_banks(self) -> NorthKoreaBanks:
        """The North Korea-linked banks view (built on first use)."""
        if self._nk_banks is None:
            self._nk_banks = NorthKoreaBanks(self.snapshots.values())
        return self._nk_banks

    def __len__(self) -> int:
        return len(self._by_entry)


def load_lists(paths: Sequence[Path]) -> ListSet:
    """Load every list a path names (a list file or a directory of them), all or nothing."""
    started = time.perf_counter()
    snapshots: dict[str, ListSnapshot] = {}
    for path in paths:
        # Resolved first: one version directory even if `streams lists update` swaps the link.
        path = Path(path).resolve()
        files = list_files(path)
        if not files and path.is_dir():
            raise ListLoadError(str(path), "directory holds no list files")
        for file in files:
            snapshot = load_list_file(file)
            if snapshot.list_id in snapshots:
                first = snapshots[snapshot.list_id].source
                raise ListLoadError(
                    str(file), f"list id {snapshot.list_id!r} already loaded from {first}"
                )
            snapshots[snapshot.list_id] = snapshot
    if not snapshots:
        raise ListLoadError(", ".join(str(p) for p in paths) or "(no paths)", "no lists to load")
    return ListSet(snapshots, load_seconds=time.perf_counter() - started)


class ListSetHolder:
    """The list set in force; a failed reload keeps the previous good set and records the error."""

    def __init__(self, current: ListSet | None = None) -> None:
        self._current = current
        self._lock = threading.Lock()
        self.last_error: ListLoadError | None = None

    @property
    def current(self) -> ListSet:
        """The last list set that loaded completely."""
        if self._current is None:
            raise ListLoadError("(no lists)", str(self.last_error or "no list set loaded yet"))
        return self._current

    def reload(self, paths: Sequence[Path]) -> ListLoadError | None:
        """Load the lists again; on failure keep the current set and return the error."""
        try:
            loaded = load_lists(paths)
        except ListLoadError as exc:
            self.last_error = exc
            return exc
        with self._lock:
            self._current = loaded
            self.last_error = None
        return None
