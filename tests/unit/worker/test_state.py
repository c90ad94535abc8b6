"""Reloading rules and lists: a good change takes over, a broken file leaves the old one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR, Settings
from streams.worker.state import ScreeningState, load_screening_state

EXTRA_RULE = """\
rules:
  - id: unit-probe
    version: 1
    description: A probe rule.
    severity: low
    action: review
    roles: [text]
    when:
      text_match: {keywords: [unit probe]}
"""
EXTRA_LIST = """\
list_id: unit_probe_list
name: Unit probe
version: "2026-11-29"
entries:
  - {id: U1, name: QUILLFEATHER TRADING, source: a test}
"""


@pytest.fixture
def state(tmp_path: Path) -> ScreeningState:
    shutil.copytree(REPO_RULES_DIR, tmp_path / "rules")
    shutil.copytree(SAMPLE_LISTS_DIR, tmp_path / "lists")
    return load_screening_state(Settings(rules_dir=tmp_path / "rules",
                                         lists_paths=[tmp_path / "lists"]))


async def test_nothing_changed(state: ScreeningState) -> None:
    report = await state.reload()
    assert (report.rules, report.lists, report.error) == ("unchanged", "unchanged", None)


async def test_rule_change_then_broken_rule(state: ScreeningState, tmp_path: Path) -> None:
    first = state.ruleset_version
    (tmp_path / "rules" / "extra.yaml").write_text(EXTRA_RULE)
    assert (await state.reload()).rules == "reloaded"
    second = state.ruleset_version
    assert second != first
    (tmp_path / "rules" / "broken.yaml").write_text("rules: [{id: x}]\n")
    report = await state.reload()
    assert report.rules == "rejected" and "broken.yaml" in (report.error or "")
    assert state.ruleset_version == second
    assert state.reload_failures == 1
    assert (await state.reload()).rules == "unchanged"  # reported once, not on every tick


async def test_list_change_keeps_the_rules_in_force(state: ScreeningState, tmp_path: Path
                                                    ) -> None:
    (tmp_path / "rules" / "extra.yaml").write_text(EXTRA_RULE)
    await state.reload()
    version = state.ruleset_version
    (tmp_path / "lists" / "extra.yaml").write_text(EXTRA_LIST)
    report = await state.reload()
    assert report.lists == "reloaded"
    assert "unit_probe_list" in state.screener.lists_version
    assert state.ruleset_version == version
    (tmp_path / "lists" / "broken.yaml").write_text("entries: 3\n")
    assert (await state.reload()).lists == "rejected"
    assert "unit_probe_list" in state.screener.lists_version
    # rule reloads keep working against the new screener's engine
    (tmp_path / "rules" / "broken.yaml").write_text("rules: [{id: x}]\n")
    assert (await state.reload()).rules == "rejected"
