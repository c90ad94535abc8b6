"""`streams screen` and `streams match`: the readable form and the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from streams.cli.main import cli
from streams.screening.screener import DEFAULT_THRESHOLD

LIST_YAML = """\
list_id: test_list
name: Test list
entries:
  - id: dandong-hx
    name: DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO., LTD.
    programs: [NPWMD]
    source: test
  - id: kkbc
    name: KOREA KWANGSON BANKING CORP
    aliases: [KKBC]
    bics: [KKBCKPPY]
    programs: [DPRK3]
    source: test
  - id: kim
    name: KIM, Jong Un
    type: person
    programs: [DPRK3]
    source: test
"""


@pytest.fixture
def lists_file(tmp_path: Path) -> Path:
    path = tmp_path / "test-list.yaml"
    path.write_text(LIST_YAML, encoding="utf-8")
    return path


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_screen_prints_hits_readably(lists_file: Path) -> None:
    code, out, _ = run("screen", "Dandong Hongxiang Ind Dev Co", "--lists", str(lists_file))
    assert code == 0
    assert "test_list:dandong-hx" in out and "DANDONG HONGXIANG" in out
    assert "matched dandong, hongxiang" in out


def test_screen_batch_json_contract(lists_file: Path, tmp_path: Path) -> None:
    batch = tmp_path / "names.txt"
    batch.write_text("Korea Kwangson Banking Corp\nJohn Smith\n\nKim Jong-un\n",
                     encoding="utf-8")
    code, out, err = run("screen", "--batch", str(batch), "--json", "--lists", str(lists_file))
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == ["Korea Kwangson Banking Corp", "John Smith", "",
                                                 "Kim Jong-un"]
    first = lines[0]["hits"][0]
    assert set(first) == {"list", "entry_id", "name", "score", "programs", "explanation"}
    assert (first["list"], first["entry_id"], first["programs"]) == ("test_list", "kkbc",
                                                                     ["DPRK3"])
    assert first["score"] >= DEFAULT_THRESHOLD
    assert lines[1]["hits"] == [] and lines[2]["hits"] == []
    assert lines[3]["hits"][0]["entry_id"] == "kim"
    assert "names.txt:3" in err and "empty" in err


def test_screen_batch_from_stdin(lists_file: Path) -> None:
    code, out, _ = run("screen", "--batch", "-", "--json", "--lists", str(lists_file),
                       stdin="KKBC\n")
    assert code == 0 and json.loads(out)["hits"][0]["entry_id"] == "kkbc"


def test_screen_reports_bad_lists_and_missing_input(tmp_path: Path, lists_file: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("list_id: x\nentries: []\n", encoding="utf-8")
    code, _, err = run("screen", "Kim", "--lists", str(bad))
    assert code != 0 and "bad.yaml" in err
    code, _, err = run("screen", "--lists", str(lists_file))
    assert code != 0 and "NAME" in err


def test_match_json() -> None:
    code, out, _ = run("match", "Dandong Hongxiang Ind Dev Co",
                       "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO., LTD.", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"score", "match", "explanation"}
    assert result["match"] is True and result["score"] >= DEFAULT_THRESHOLD
    code, out, _ = run("match", "John Smith", "Kim Jong Un", "--json")
    assert json.loads(out)["match"] is False


def test_match_readable() -> None:
    code, out, _ = run("match", "Ch'oe Ryong-hae", "CHOE, Ryong Hae")
    assert code == 0 and out.startswith("100.0 (match")


def test_screen_says_when_a_name_is_capped(lists_file: Path) -> None:
    code, out, err = run("screen", "--batch", "-", "--json", "--lists", str(lists_file),
                         stdin="KIM JONG UN " * 100 + "\n")
    assert code == 0 and json.loads(out)["hits"] is not None
    assert "<stdin>:1" in err and "screened its first" in err
