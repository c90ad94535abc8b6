"""`streams convert` prints canonical JSON, one payment per line, and refuses bad files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from streams.cli.main import cli
from streams.models import Payment

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli, ["convert", *args], input=stdin)


def test_converts_mt103_to_the_canonical_payment() -> None:
    result = run(str(FIXTURES / "scenario-2016.mt103.txt"))
    assert result.exit_code == 0, result.output
    printed = Payment.model_validate_json(result.output)
    expected = Payment.model_validate_json((FIXTURES / "scenario-2016.json").read_bytes())
    assert printed == expected


def test_multi_transaction_pacs008_prints_one_line_each() -> None:
    result = run(str(FIXTURES / "pacs008-multi.xml"))
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["payment_id"] for line in result.output.splitlines()]
    assert ids == ["E2E-7001-1", "E2E-7001-2", "9d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d"]


def test_reads_stdin_and_pretty_prints() -> None:
    result = run("--pretty", "-", stdin=(FIXTURES / "mt103-bare.txt").read_bytes())
    assert result.exit_code == 0, result.output
    assert result.output.startswith("{\n  ")
    assert json.loads(result.output)["payment_id"] == "BARE-0001"


def test_hostile_file_exits_1_with_the_reason() -> None:
    result = run(str(FIXTURES / "hostile" / "external-entity.xml"))
    assert result.exit_code == 1
    assert "external-entity.xml: XML declares a DTD" in result.output
    assert "root:" not in result.output


def test_forced_format_and_size_limit() -> None:
    path = str(FIXTURES / "scenario-2016.pacs008.xml")
    assert run("--format", "mt103", path).exit_code == 1
    result = run("--max-bytes", "50", path)
    assert result.exit_code == 1 and "over the 50-byte limit" in result.output


def test_missing_file_is_a_clean_error() -> None:
    result = run("/nonexistent/file.xml")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
