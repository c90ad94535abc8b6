"""`streams rules validate|test` and `streams replay` through the click entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from streams.cli.main import cli
from streams.settings import SAMPLE_LISTS_DIR

REPO_RULES = Path(__file__).resolve().parents[3] / "rules"


def payment(pid: str, **over) -> dict:
    data = {"payment_id": pid, "created_at": "2026-01-05T09:00:00Z", "amount": "100",
            "currency": "EUR", "debtor": {"name": "Muster GmbH"},
            "debtor_agent": {"bic": "COBADEFF"}, "creditor_agent": {"bic": "BNPAFRPP"},
            "creditor": {"name": "Dupont SARL"}}
    data.update(over)
    return data


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def payments_file(tmp_path) -> Path:
    path = tmp_path / "payments.jsonl"
    lines = [json.dumps(payment("P-1")),
             json.dumps(payment("P-2", creditor_agent={"bic": "FTBDKPPY"})),
             "{broken",
             json.dumps(payment("P-3", remittance_info="via Nampo"))]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_validate_ok(runner):
    result = runner.invoke(cli, ["rules", "validate", str(REPO_RULES)])
    assert result.exit_code == 0, result.output
    from streams.rules.loader import load_ruleset

    ruleset = load_ruleset(REPO_RULES)
    assert f"ok: {len(ruleset.rules)} rules" in result.output
    assert ruleset.version in result.output


def test_validate_reports_file_line_field_and_fails(runner, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    path = rules / "structuring.yaml"
    path.write_text(path.read_text().replace("count_gte: 3", "count_gte: three"))
    result = runner.invoke(cli, ["rules", "validate", str(rules)])
    assert result.exit_code == 1
    assert f"{path}:12 [rules[0].when.all[1].window.count_gte]" in result.output
    assert "valid integer" in result.output and "1 error(s)" in result.output


def test_rules_test_passes_on_the_sample_lists(runner):
    result = runner.invoke(cli, ["rules", "test", str(REPO_RULES), "--lists",
                                 str(SAMPLE_LISTS_DIR)])
    assert result.exit_code == 0, result.output
    assert "passed in 4 files" in result.output and "failed" not in result.output


def test_rules_test_fails_when_a_fixture_fails(runner, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    path = rules / "jurisdictions.yaml"
    path.write_text(path.read_text().replace("set: embargoed_countries", "values: [IR]"))
    result = runner.invoke(cli, ["rules", "test", str(rules), "--lists", str(SAMPLE_LISTS_DIR)])
    assert result.exit_code == 1
    assert "FAILED" in result.output and "rule embargoed-jurisdiction did not fire" in result.output


def test_replay_writes_alerts_to_stdout_and_reports_bad_lines(runner, payments_file):
    result = runner.invoke(cli, ["replay", str(payments_file), "--rules", str(REPO_RULES),
                                 "--lists", str(SAMPLE_LISTS_DIR)])
    assert result.exit_code == 0, result.output
    alerts = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [a["payment_id"] for a in alerts] == ["P-2", "P-3"]
    assert f"{payments_file}:3: json:" in result.stderr
    assert "3 payments, 2 alerts, 1 bad lines" in result.stderr


def test_replay_writes_alert_and_result_files(runner, payments_file, tmp_path):
    alerts, results = tmp_path / "alerts.jsonl", tmp_path / "results.jsonl"
    result = runner.invoke(cli, ["replay", str(payments_file), "--rules", str(REPO_RULES),
                                 "--lists", str(SAMPLE_LISTS_DIR), "--alerts", str(alerts),
                                 "--results", str(results)])
    assert result.exit_code == 0, result.output
    decisions = [json.loads(line)["decision"] for line in results.read_text().splitlines()]
    assert decisions == ["clear", "block", "hold"]
    assert len(alerts.read_text().splitlines()) == 2


def test_replay_compare(runner, payments_file, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(REPO_RULES, other)
    (other / "north-korea.yaml").unlink()
    result = runner.invoke(cli, ["replay", str(payments_file), "--rules", str(REPO_RULES),
                                 "--lists", str(SAMPLE_LISTS_DIR), "--compare", str(other)])
    assert result.exit_code == 0, result.output
    assert "alerts added: 0, removed: 1, changed: 1" in result.stdout
    assert "nk-correspondent-bank: +0 -1 =0" in result.stdout
    assert "nk-text-reference: +0 -1 =0" in result.stdout
