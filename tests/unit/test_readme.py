"""The README documents every setting and the two commands that CI and users rely on."""

from __future__ import annotations

from pathlib import Path

from streams.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table() -> None:
    missing = [
        f"STREAMS_{name.upper()}" for name in Settings.model_fields
        if f"`STREAMS_{name.upper()}`" not in README
    ]
    assert missing == []


def test_the_two_commands_are_there() -> None:
    assert 'pip install -e ".[embedded]" && streams demo' in README
    assert 'pip install -e ".[dev]" && python -m pytest' in README


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -q -e ".[dev]"' in ci and "\npython -m pytest\n" in ci
    # and the unit tests once more on the compiled build, which must be complete
    assert "STREAMS_COMPILE=1 python setup.py -q build_ext --inplace" in ci
    assert "STREAMS_EXPECT_COMPILED=1 python -m pytest" in ci
