"""Hot reload: a valid change becomes active; an invalid one is rejected and the old set stays."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from streams.pipeline import PaymentScreener
from streams.rules.engine import RuleEngine
from streams.rules.loader import load_ruleset
from streams.rules.reload import RuleReloader

REPO_RULES = Path(__file__).resolve().parents[3] / "rules"


def touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_reload_swaps_valid_rules_and_keeps_the_old_on_error(tmp_path, fake_lists, make_payment):
    from rule_fakes import FakeScreener

    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    engine = RuleEngine(load_ruleset(rules), FakeScreener(fake_lists), fake_lists)
    screener = PaymentScreener(engine, {})
    reloader = RuleReloader(engine, rules)
    first = engine.ruleset_version
    payment = make_payment(remittance_info="shipment to Chongjin")

    assert reloader.check().status == "unchanged"
    assert screener.screen(payment).alert is not None

    keywords = rules / "sets" / "keywords.yaml"
    keywords.write_text(keywords.read_text().replace("      - Chongjin\n", ""))
    touch_later(keywords)
    outcome = reloader.check()
    assert outcome.status == "reloaded" and outcome.ruleset_version != first
    assert engine.ruleset_version == outcome.ruleset_version
    assert screener.screen(payment).alert is None
    assert screener.screen(payment).result.ruleset_version == outcome.ruleset_version

    structuring = rules / "structuring.yaml"
    structuring.write_text(structuring.read_text().replace("severity: medium", "severity: dire"))
    touch_later(structuring)
    rejected = reloader.check()
    assert rejected.status == "rejected"
    assert "structuring.yaml:7 [rules[0].severity]" in rejected.error
    assert engine.ruleset_version == outcome.ruleset_version  # the previous good set stays
    assert reloader.check().status == "unchanged"  # not retried until the files change again


def test_touch_without_content_change_is_unchanged(tmp_path, fake_lists):
    from rule_fakes import FakeScreener

    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    engine = RuleEngine(load_ruleset(rules), FakeScreener(fake_lists), fake_lists)
    reloader = RuleReloader(engine, rules)
    touch_later(rules / "structuring.yaml")
    assert reloader.check().status == "unchanged"
