"""`streams lists info|show|update` through the real click entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from file_server import FileServer

from streams.cli.main import cli


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_info_on_the_real_lists(shared_lists_dir: Path) -> None:
    result = run("lists", "info", "--lists", str(shared_lists_dir / "sdn.csv"),
                 "--lists", str(shared_lists_dir / "un_consolidated.xml"), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    sdn = summary["lists"]["ofac_sdn"]
    assert sdn["entries"] == 8976
    assert sdn["by_type"] == {"person": 4620, "organization": 3673, "vessel": 406, "aircraft": 277}
    assert sdn["by_program"]["DPRK3"] == 122
    assert summary["lists"]["un_sc"]["version"] == "2026-02-27T00:00:09.554Z"
    assert summary["load_seconds"] > 0 and summary["nk_banks"] > 0


def test_info_text_defaults_to_the_sample(tmp_path: Path) -> None:
    result = run("lists", "info", env={"STREAMS_LISTS_DIR": str(tmp_path / "none")})
    assert result.exit_code == 0, result.output
    assert "ofac_sdn:" in result.output and "version sample-" in result.output
    assert "North Korea-linked banks:" in result.output and "loaded in" in result.output


def test_show_an_entry(shared_lists_dir: Path) -> None:
    result = run("lists", "show", "ofac_sdn:15603", "--lists", str(shared_lists_dir / "sdn.csv"))
    assert result.exit_code == 0, result.output
    assert "bic: FTBDKPPY (KP)" in result.output
    assert "North Korea-linked: listed DPRK bank" in result.output
    result = run("lists", "show", "un_sc:KPe.001", "--json",
                 "--lists", str(shared_lists_dir / "un_consolidated.xml"))
    data = json.loads(result.output)
    assert data["key"] == "un_sc:KPe.001" and data["type"] == "organization"


def test_show_errors(tmp_path: Path) -> None:
    assert run("lists", "show", "no-colon").exit_code == 2
    result = run("lists", "show", "ofac_sdn:999999999", env={"STREAMS_LISTS_DIR": str(tmp_path)})
    assert result.exit_code == 1 and "no entry ofac_sdn:999999999" in result.output


def test_bad_list_file_exits_2_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("list_id: x\nname: y\nentries:\n  - {id: a, name: A}\n")
    result = run("lists", "info", "--lists", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:4" in result.output and "source" in result.output


def test_update_through_the_cli(tmp_path: Path, file_server: FileServer,
                                shared_lists_dir: Path) -> None:
    routes, base = file_server.routes, file_server.url("")
    routes["/un.xml"] = (shared_lists_dir / "un_consolidated.xml").read_bytes()
    routes["/bad.xml"] = b"<CONSOLIDATED_LIST><INDIVIDUALS>"
    lists_dir = tmp_path / "lists"
    result = run("lists", "update", "--lists-dir", str(lists_dir),
                 "--url", f"un_consolidated.xml={base}/un.xml")
    assert result.exit_code == 0, result.output
    assert "un_sc: 1003 entries, version 2026-02-27T00:00:09.554Z" in result.output
    target = lists_dir.resolve()
    result = run("lists", "update", "--lists-dir", str(lists_dir),
                 "--url", f"un_consolidated.xml={base}/bad.xml")
    assert result.exit_code == 1 and "current lists stay" in result.output
    assert lists_dir.resolve() == target
    assert run("lists", "update", "--url", "nonsense").exit_code == 2


def test_nk_banks(shared_lists_dir: Path) -> None:
    result = run("lists", "nk-banks", "--json", "--lists", str(shared_lists_dir / "sdn.csv"))
    assert result.exit_code == 0, result.output
    rows = {row["key"]: row for row in json.loads(result.output)}
    assert rows["ofac_sdn:15603"]["bics"] == ["FTBDKPPY"]
    assert rows["ofac_sdn:11581"]["reason"].startswith("listed bank tied to North Korea")
    assert "ofac_sdn:20564" not in rows  # Dandong Hongxiang is a trading company
    text = run("lists", "nk-banks", "--lists", str(shared_lists_dir / "sdn.csv")).output
    assert f"{len(rows)} North Korea-linked banks" in text


@pytest.mark.parametrize("command", ["info", "show", "update", "nk-banks"])
def test_help(command: str) -> None:
    assert run("lists", command, "--help").exit_code == 0
