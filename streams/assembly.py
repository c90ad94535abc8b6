"""Building the payment screener from settings: lists, name screener, rule set and rule engine.

The worker, `streams replay` and `streams rules test` all build their screener here, so a
payment gets the same decision online and offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from streams.pipeline import PaymentScreener
from streams.rules.engine import RuleEngine
from streams.rules.loader import RuleSet, load_ruleset
from streams.rules.window import WindowStore
from streams.screening.listset import ListSet, load_lists
from streams.screening.screener import Screener
from streams.settings import Settings

__all__ = [
    "build_payment_screener",
    "build_payment_screener_from",
    "lists_paths_for",
    "screener_for",
]


def lists_paths_for(list_paths: Sequence[Path], rules_dir: Path) -> list[Path]:
    """The list sources plus the custom lists kept beside the rules (rules/lists/), once each."""
    paths = [Path(p) for p in list_paths]
    custom = rules_dir / "lists"
    if custom.is_dir() and any(custom.glob("*.y*ml")):
        resolved = {p.resolve() for p in paths}
        if custom.resolve() not in resolved:
            paths.append(custom)
    return paths


def screener_for(lists: ListSet, ruleset: RuleSet, store: WindowStore | None = None
                 ) -> PaymentScreener:
    """A PaymentScreener over already loaded lists and rules."""
    engine = RuleEngine(ruleset, Screener(lists), lists, store=store)
    return PaymentScreener(engine, lists.versions())


def build_payment_screener_from(
    list_paths: Sequence[Path], rules_dir: Path, *, store: WindowStore | None = None
) -> PaymentScreener:
    """Load the lists and the rules and build the screener the agents and replay use."""
    rules_dir = Path(rules_dir)
    ruleset = load_ruleset(rules_dir)
    lists = load_lists(lists_paths_for(list_paths, rules_dir))
    return screener_for(lists, ruleset, store)


def build_payment_screener(settings: Settings, *, store: WindowStore | None = None
                           ) -> PaymentScreener:
    """The screener for the configured lists and rule directory (`store` backs windowed rules)."""
    return build_payment_screener_from(
        settings.resolved_lists_paths(), settings.resolved_rules_dir(), store=store
    )
