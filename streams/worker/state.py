"""The screening state of a worker: the screener in force, swapped whole when files change."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from streams.assembly import build_payment_screener_from
from streams.pipeline import PaymentScreener
from streams.rules.window import WindowStore
from streams.settings import Settings

__all__ = ["FileReloader", "ScreenerReloader", "ScreeningState", "load_screening_state"]

log = logging.getLogger(__name__)

#: Returns a new screener when the rule or list files changed and loaded cleanly, else None;
#: raises when a changed file is broken (the previous screener then stays in force).
ScreenerReloader = Callable[[], "PaymentScreener | None"]


class ScreeningState:
    """Holds the active PaymentScreener; agents read it once per batch, so a swap is atomic."""

    def __init__(self, screener: PaymentScreener, reloader: ScreenerReloader | None = None) -> None:
        self._screener = screener
        self._reloader = reloader
        self.reloads = 0
        self.reload_failures = 0
        self.last_error: str | None = None

    @property
    def screener(self) -> PaymentScreener:
        """The screener in force now."""
        return self._screener

    @property
    def ruleset_version(self) -> str:
        """The version of the rules in force."""
        return self._screener.ruleset_version

    def swap(self, screener: PaymentScreener) -> None:
        """Put a new screener in force (the next batch uses it)."""
        self._screener = screener
        self.reloads += 1

    async def reload(self) -> bool:
        """Check the files in a thread (loading can take seconds); True when a new set took over."""
        if self._reloader is None:
            return False
        try:
            fresh = await asyncio.to_thread(self._reloader)
        except Exception as exc:  # noqa: BLE001 - a broken file must not stop screening
            self.reload_failures += 1
            self.last_error = str(exc)
            log.error("reload rejected, previous rules stay in force: %s", exc)
            return False
        if fresh is None:
            return False
        old = self._screener.ruleset_version
        self.swap(fresh)
        self.last_error = None
        log.info("reloaded: ruleset %s -> %s", old, fresh.ruleset_version)
        return True


def _fingerprint(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of every file under `paths`: changes when any file changes."""
    found: list[tuple[str, int, int]] = []
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


class FileReloader:
    """Rebuilds the screener when a rule or list file changes; raises when a changed file is bad."""

    def __init__(self, settings: Settings, store: WindowStore | None = None) -> None:
        self.rules_dir = settings.resolved_rules_dir()
        self.lists_paths = settings.resolved_lists_paths()
        self.store = store
        self._seen = self._current()

    def _current(self) -> tuple[tuple[str, int, int], ...]:
        return _fingerprint([self.rules_dir, *self.lists_paths])

    def __call__(self) -> PaymentScreener | None:
        """A new screener when files changed since the last check, else None."""
        current = self._current()
        if current == self._seen:
            return None
        self._seen = current  # a broken file is reported once, not on every tick
        return build_payment_screener_from(self.lists_paths, self.rules_dir, store=self.store)


def load_screening_state(settings: Settings, store: WindowStore | None = None) -> ScreeningState:
    """The lists and rules from `settings`, with a reloader watching their files."""
    reloader = FileReloader(settings, store)
    screener = build_payment_screener_from(reloader.lists_paths, reloader.rules_dir, store=store)
    return ScreeningState(screener, reloader)
