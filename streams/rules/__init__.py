"""The rule engine: YAML rules validated into models, evaluated over payments, explained.

Nothing under this package imports Kafka, Faust or Prometheus code; the worker backs the
window store with a Faust table and calls the reloader on a timer.
"""

from __future__ import annotations

from streams.rules.engine import RuleEngine
from streams.rules.loader import RuleSet, RuleSetInvalid, load_ruleset
from streams.rules.reload import ReloadOutcome, RuleReloader
from streams.rules.window import InMemoryWindowStore, WindowStore, WindowTotals

__all__ = [
    "InMemoryWindowStore",
    "ReloadOutcome",
    "RuleEngine",
    "RuleReloader",
    "RuleSet",
    "RuleSetInvalid",
    "WindowStore",
    "WindowTotals",
    "load_ruleset",
]
