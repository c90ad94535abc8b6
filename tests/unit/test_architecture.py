"""Architecture and code health: the import contract, one app builder, lint and types."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]


def test_import_contract_is_kept() -> None:
    linter = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if linter is None:
        pytest.fail("lint-imports (import-linter, in the dev extra) is not installed")
    run = subprocess.run([linter], cwd=REPO_DIR, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def _builds_faust_app(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "App"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "faust"
        for node in ast.walk(tree)
    )


def test_faust_app_is_built_in_one_place() -> None:
    builders = [
        path.relative_to(REPO_DIR).as_posix()
        for path in sorted((REPO_DIR / "streams").rglob("*.py"))
        if _builds_faust_app(path)
    ]
    assert builders == ["streams/worker/app.py"]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} (dev extra) is not installed")
    return found


def test_ruff_finds_nothing() -> None:
    run = subprocess.run([_tool("ruff"), "check", "streams", "tests", "benchmarks"],
                         cwd=REPO_DIR, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_strict_on_the_package() -> None:
    run = subprocess.run([_tool("mypy")], cwd=REPO_DIR, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
