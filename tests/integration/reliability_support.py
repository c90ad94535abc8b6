"""Helpers of the reliability tests: a deterministic rule copy, payments, expected alerts."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from streams.assembly import build_payment_screener_from
from streams.generate import GeneratedPayment, PaymentGenerator
from streams.models import Payment
from streams.screening.listset import load_lists
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR

LISTS = [SAMPLE_LISTS_DIR]
Record = tuple[bytes | None, bytes | None]


def stateless_rules(target: Path) -> Path:
    """The repo's rules without the windowed structuring rule, whose counts depend on history.

    A payment screened twice adds twice to a window, so the structuring rule's alerts are
    not a function of the payment alone; every other rule's are, which is what lets the
    tests compute the expected alerts offline.
    """
    shutil.copytree(REPO_RULES_DIR, target)
    for path in (target / "structuring.yaml", target / "tests" / "structuring.yaml"):
        path.unlink(missing_ok=True)
    return target


def payments(n: int, prefix: str, seed: int, flagged_share: float = 0.1
             ) -> list[GeneratedPayment]:
    """`n` generated payments whose listed parties come from the shipped sample lists."""
    entities = list(load_lists(LISTS).entities())
    return PaymentGenerator(entities, seed=seed, flagged_share=flagged_share,
                            id_prefix=prefix).take(n)


def records(generated: Iterable[GeneratedPayment]) -> list[Record]:
    """(key, value) records keyed by payment id, as payment systems publish them."""
    return [(g.payment["payment_id"].encode(), json.dumps(g.payment).encode())
            for g in generated]


def expected_alert_ids(generated: Sequence[GeneratedPayment], rules_dir: Path) -> dict[str, str]:
    """payment id -> alert id, screening offline with the same lists and rules as the workers."""
    screener = build_payment_screener_from(LISTS, rules_dir)
    expected = {}
    for g in generated:
        outcome = screener.screen(Payment.model_validate(g.payment))
        if outcome.alert is not None:
            expected[g.payment["payment_id"]] = outcome.alert.alert_id
    return expected


def by_payment(values: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Output messages grouped by payment id."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for value in values:
        grouped[value.get("payment_id", "")].append(value)
    return grouped
