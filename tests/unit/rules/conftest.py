"""Fixtures for the rule engine tests: payment factories and engines over small fake lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from rule_fakes import FakeListSet, FakeScreener

from streams.models import Payment
from streams.rules.engine import RuleEngine
from streams.rules.fixtures import merge_overrides
from streams.rules.loader import load_ruleset

REPO_RULES = Path(__file__).resolve().parents[3] / "rules"


BASE_PAYMENT: dict[str, Any] = {
    "payment_id": "P-1",
    "created_at": "2026-11-01T10:00:00Z",
    "amount": "1500.00",
    "currency": "USD",
    "debtor": {"name": "Acme Components GmbH", "country": "DE",
               "account": "DE89370400440532013000"},
    "debtor_agent": {"bic": "DEUTDEFF", "name": "Deutsche Bank AG", "country": "DE"},
    "creditor_agent": {"bic": "BKCHCNBJ", "name": "Bank of China", "country": "CN"},
    "creditor": {"name": "Shenyang Machine Tools Co", "country": "CN"},
    "remittance_info": "Invoice 2026-118 spare parts",
}


@pytest.fixture
def make_payment() -> Callable[..., Payment]:
    """A clean payment with overrides merged in (None removes a field)."""

    def factory(**overrides: Any) -> Payment:
        return Payment.model_validate(merge_overrides(BASE_PAYMENT, overrides))

    return factory


@pytest.fixture
def fake_lists() -> FakeListSet:
    return FakeListSet()


@pytest.fixture
def shipped_engine(fake_lists: FakeListSet) -> RuleEngine:
    """The shipped rule set over the small fake lists."""
    return RuleEngine(load_ruleset(REPO_RULES), FakeScreener(fake_lists), fake_lists,
                      clock=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))


@pytest.fixture
def engine_for(fake_lists: FakeListSet, tmp_path: Path) -> Callable[[str], RuleEngine]:
    """An engine over rule text written to a temporary rules directory."""

    def factory(text: str, **files: str) -> RuleEngine:
        (tmp_path / "rules.yaml").write_text(text)
        for name, body in files.items():
            (tmp_path / f"{name}.yaml").write_text(body)
        return RuleEngine(load_ruleset(tmp_path), FakeScreener(fake_lists), fake_lists,
                          clock=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))

    return factory
