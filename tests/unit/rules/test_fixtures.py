"""The shipped rules pass their fixtures (as `streams rules test` runs them); fixtures can fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from streams.assembly import lists_paths_for
from streams.pipeline import PaymentScreener
from streams.rules.engine import RuleEngine
from streams.rules.fixtures import fixture_files, run_fixture_file
from streams.rules.loader import load_ruleset
from streams.rules.window import InMemoryWindowStore
from streams.screening.listset import load_lists
from streams.screening.screener import Screener
from streams.settings import SAMPLE_LISTS_DIR

REPO_RULES = Path(__file__).resolve().parents[3] / "rules"


def run_all(rules_dir: Path, list_paths: list[Path]) -> list:
    ruleset = load_ruleset(rules_dir)
    lists = load_lists(lists_paths_for(list_paths, rules_dir))
    names = Screener(lists)

    def make() -> PaymentScreener:
        return PaymentScreener(RuleEngine(ruleset, names, lists, store=InMemoryWindowStore()),
                               lists.versions())

    return [r for path in fixture_files(rules_dir)
            for r in run_fixture_file(path, make, set(lists.versions()))]


def assert_all_pass(results: list) -> None:
    bad = [f"{r.file}:{r.line} {r.name}: {r.message}" for r in results if r.status != "passed"]
    assert not bad, "\n".join(bad)


def test_every_shipped_rule_has_fixtures_that_fire_and_that_must_not():
    from streams.rules.fixtures import FixtureFile
    from streams.rules.loader import parse_yaml_model

    fire: set[str] = set()
    quiet: set[str] = set()
    for path in fixture_files(REPO_RULES):
        fixture, _, _ = parse_yaml_model(path, FixtureFile)
        for case in fixture.cases:
            fire |= set(case.expect.rules)
            quiet |= set(case.expect.not_rules)
            if not case.expect.alert:
                quiet |= {r.id for r in load_ruleset(REPO_RULES).rules}
    ids = {r.id for r in load_ruleset(REPO_RULES).rules}
    assert ids <= fire
    assert ids <= quiet


def test_shipped_rules_pass_their_fixtures_on_the_sample_lists():
    results = run_all(REPO_RULES, [SAMPLE_LISTS_DIR])
    assert len(results) >= 20
    assert_all_pass(results)


@pytest.mark.slow
def test_shipped_rules_pass_their_fixtures_on_the_full_lists(shared_lists_dir):
    assert_all_pass(run_all(REPO_RULES, [shared_lists_dir]))


def test_a_broken_rule_makes_fixtures_fail(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    text = (rules / "sets" / "keywords.yaml").read_text().replace("      - Nampo\n", "")
    (rules / "sets" / "keywords.yaml").write_text(text)
    results = run_all(rules, [SAMPLE_LISTS_DIR])
    failed = [r for r in results if r.status == "failed"]
    assert [r.name for r in failed] == ["the 2016 payment (Dandong Hongxiang to Korea Ryonbong via "
                                        "Kwangson)"]
    assert "missed roles ['remittance_info']" in failed[0].message


def test_fixture_file_errors_name_the_line(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    (rules / "tests" / "broken.yaml").write_text(
        "cases:\n  - name: x\n    payment: {}\n    expect: {alert: false, action: block}\n")
    results = [r for r in run_all(rules, [SAMPLE_LISTS_DIR]) if r.status == "error"]
    assert [(Path(r.file).name, r.line) for r in results] == [("broken.yaml", 4)]
    assert "`alert: false` takes no" in results[0].message


def test_fixture_needing_absent_lists_is_skipped(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    (rules / "tests" / "needs.yaml").write_text(
        "requires_lists: [bis_dpl]\ncases:\n  - name: x\n    payment: {}\n"
        "    expect: {alert: false}\n")
    results = run_all(rules, [SAMPLE_LISTS_DIR])
    assert [r.status for r in results if r.file.endswith("needs.yaml")] == ["skipped"]


def test_allow_list_fixture_records_the_suppressed_hit(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    (rules / "allowlist.yaml").write_text(
        "allow:\n  - id: allow-kmdt\n    name: Korea Mining Development Corp\n"
        "    list: un_sc\n    entry_id: KPe.001\n    reason: a different company\n"
        "    approver: analyst\n    expires: 2099-01-01\n")
    for path in (rules / "tests").iterdir():
        path.unlink()
    (rules / "tests" / "allow.yaml").write_text(
        "cases:\n  - name: cleared\n"
        "    payment: {creditor: {name: Korea Mining Development Corp}}\n"
        "    expect: {rules: {possible-sanctioned-party: [creditor]},"
        " suppressed: [possible-sanctioned-party]}\n")
    [result] = run_all(rules, [SAMPLE_LISTS_DIR])
    # the UN hit is cleared and recorded; the OFAC entry of the same company still asks for review
    assert result.status == "passed", result.message
