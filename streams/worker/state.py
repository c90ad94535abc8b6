"""The screening state of a worker: the screener in force, reloaded when rule or list files change.

Rule files are checked by the rule engine's RuleReloader (streams/rules/reload.py) in the
event loop's own thread, between batches, so a batch never mixes two rule sets. List files
load in a thread (the full lists take seconds); the new screener, built over the rule set
in force, is then swapped in whole, again between batches. A broken file is rejected with
a log line and a failure count, and the previous rules or lists keep screening.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from streams import metrics
from streams.assembly import build_payment_screener, lists_paths_for, screener_for
from streams.errors import ListLoadError
from streams.pipeline import PaymentScreener
from streams.rules.engine import RuleEngine
from streams.rules.loader import load_ruleset
from streams.rules.reload import Fingerprint, RuleReloader, files_fingerprint
from streams.rules.window import WindowStore
from streams.screening.listset import ListSet, load_lists
from streams.settings import Settings

__all__ = ["ReloadReport", "ScreeningState", "load_screening_state"]

log = logging.getLogger(__name__)

def _fingerprint(paths: list[Path]) -> Fingerprint:
    """Path, mtime and size of every file under `paths`: changes when any file changes."""
    files: list[Path] = []
    for root in paths:
        files += [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return files_fingerprint(files)


def record_lists(lists: ListSet) -> None:
    """Publish each loaded list's entry count and age as metrics (dropping unloaded lists)."""
    metrics.observe_lists(lists.snapshots.values())


def record_rules(screener: PaymentScreener) -> None:
    """Publish the rule set in force as metrics."""
    ruleset = getattr(screener.evaluator, "ruleset", None)
    metrics.set_ruleset(screener.ruleset_version, len(getattr(ruleset, "enabled_rules", ())))


@dataclass(frozen=True)
class ReloadReport:
    """What one reload check did to the rules and the lists."""

    rules: str = "unchanged"  # unchanged | reloaded | rejected
    lists: str = "unchanged"
    error: str | None = None


class ScreeningState:
    """Holds the PaymentScreener in force; agents read it once per batch."""

    def __init__(self, screener: PaymentScreener, rules_dir: Path, lists_paths: list[Path],
                 store: WindowStore | None = None) -> None:
        self._screener = screener
        self.rules_dir = rules_dir
        self.lists_paths = lists_paths
        self.store = store
        self._rules = self._watch_rules(screener)
        self._lists_seen = _fingerprint(lists_paths)
        self.reloads = 0
        self.reload_failures = 0
        self.last_error: str | None = None

    def _watch_rules(self, screener: PaymentScreener) -> RuleReloader | None:
        engine = screener.evaluator
        return RuleReloader(engine, self.rules_dir) if isinstance(engine, RuleEngine) else None

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
        self._rules = self._watch_rules(screener)
        self.reloads += 1

    def _failed(self, kind: str, error: str) -> None:
        self.reload_failures += 1
        self.last_error = error
        metrics.record_reload(kind, False)

    def reload_rules(self) -> str:
        """Check the rule files (in the calling thread: the swap must fall between batches)."""
        if self._rules is None:
            return "unchanged"
        try:
            outcome = self._rules.check()
        except Exception as exc:  # a loader bug must not stop the reload timer either
            log.exception("rule reload failed, keeping the rules in force: %s", exc)
            self._failed("rules", f"{type(exc).__name__}: {exc}")
            return "rejected"
        if outcome.status == "reloaded":
            self.reloads += 1
            metrics.record_reload("rules", True)
            record_rules(self._screener)
        elif outcome.status == "rejected":
            self._failed("rules", outcome.error or "rule files rejected")
        return outcome.status

    async def reload_lists(self) -> str:
        """Load changed list files in a thread, then swap in a screener over the active rules."""
        current = _fingerprint(self.lists_paths)
        if current == self._lists_seen:
            return "unchanged"
        self._lists_seen = current  # a broken file is reported once, not on every tick
        engine = self._screener.evaluator
        ruleset = engine.ruleset if isinstance(engine, RuleEngine) else None

        def build() -> tuple[ListSet, PaymentScreener]:
            lists = load_lists(self.lists_paths)
            rules = ruleset if ruleset is not None else load_ruleset(self.rules_dir)
            return lists, screener_for(lists, rules, self.store)

        try:
            # loading and indexing the full lists takes seconds: not on the event loop
            lists, screener = await asyncio.to_thread(build)
        except ListLoadError as exc:
            log.error("list files rejected, keeping the lists in force: %s", exc)
            self._failed("lists", str(exc))
            return "rejected"
        except Exception as exc:  # a loader bug must not stop the reload timer either
            log.exception("list reload failed, keeping the lists in force: %s", exc)
            self._failed("lists", f"{type(exc).__name__}: {exc}")
            return "rejected"
        self.swap(screener)
        metrics.record_reload("lists", True)
        record_lists(lists)
        log.info("lists reloaded: %s", lists.versions())
        return "reloaded"

    async def reload(self) -> ReloadReport:
        """Check rules, then lists; whatever fails leaves the previous version screening."""
        rules = self.reload_rules()
        lists = await self.reload_lists()
        return ReloadReport(rules, lists, self.last_error if "rejected" in (rules, lists)
                            else None)


def load_screening_state(settings: Settings, store: WindowStore | None = None) -> ScreeningState:
    """Load the configured lists and rules (streams.assembly) and watch their files."""
    rules_dir = settings.resolved_rules_dir()
    lists_paths = lists_paths_for(settings.resolved_lists_paths(), rules_dir)
    screener = build_payment_screener(settings, store=store)
    record_rules(screener)
    lists = getattr(screener.evaluator, "lists", None)
    if isinstance(lists, ListSet):
        record_lists(lists)
    metrics.record_reload("rules", True)
    metrics.record_reload("lists", True)
    return ScreeningState(screener, rules_dir, lists_paths, store)
