"""Hot reload: pick up changed rule files; keep the previous good rule set when they are invalid.

`RuleReloader.check()` is cheap when nothing changed (a stat of each file); the worker calls it
on a timer and turns each outcome into a log line and a counter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from streams.errors import RuleError
from streams.rules.loader import RuleSet, RuleSetInvalid, load_ruleset, rule_files

__all__ = ["ReloadOutcome", "RuleReloader"]

log = logging.getLogger(__name__)


class ReplaceableEvaluator(Protocol):
    """An evaluator whose rule set can be swapped (the RuleEngine)."""

    ruleset_version: str

    def replace(self, ruleset: RuleSet) -> None: ...


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What one check did: nothing changed, a new rule set is active, or the change was rejected."""

    status: Literal["unchanged", "reloaded", "rejected"]
    ruleset_version: str  # the version active after the check
    error: str | None = None
    errors: tuple[str, ...] = ()


Fingerprint = tuple[tuple[str, int, int], ...]


def files_fingerprint(files: Iterable[Path]) -> Fingerprint:
    """Path, mtime and size of each file that still exists: changes when any of them does."""
    out = []
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def _fingerprint(directory: Path) -> Fingerprint:
    try:
        return files_fingerprint(rule_files(directory))
    except RuleError:
        return ()


class RuleReloader:
    """Watches one rule directory and swaps a newly valid rule set into the engine."""

    def __init__(self, engine: ReplaceableEvaluator, directory: Path,
                 load: Callable[[Path], RuleSet] = load_ruleset) -> None:
        self.engine = engine
        self.directory = Path(directory)
        self.load = load
        self._seen = _fingerprint(self.directory)
        self.rejected_version: str | None = None

    def check(self) -> ReloadOutcome:
        """Reload when the files changed; on a validation error keep the active rule set."""
        current = _fingerprint(self.directory)
        if current == self._seen:
            return ReloadOutcome("unchanged", self.engine.ruleset_version)
        self._seen = current
        try:
            ruleset = self.load(self.directory)
        except RuleSetInvalid as exc:
            reasons = tuple(str(e) for e in exc.errors)
            log.error("rule files rejected, keeping ruleset %s: %s",
                      self.engine.ruleset_version, "; ".join(reasons))
            return ReloadOutcome("rejected", self.engine.ruleset_version, reasons[0], reasons)
        except RuleError as exc:
            log.error("rule files rejected, keeping ruleset %s: %s",
                      self.engine.ruleset_version, exc)
            return ReloadOutcome("rejected", self.engine.ruleset_version, str(exc), (str(exc),))
        if ruleset.version == self.engine.ruleset_version:
            return ReloadOutcome("unchanged", ruleset.version)
        previous = self.engine.ruleset_version
        self.engine.replace(ruleset)
        log.info("rules reloaded: %s -> %s (%d rules)", previous, ruleset.version,
                 len(ruleset.enabled_rules))
        return ReloadOutcome("reloaded", ruleset.version)
