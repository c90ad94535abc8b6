"""The optional compiled build: which modules it compiles, and stale in-place builds caught."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import time
from pathlib import Path

from streams import build_info

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """A source tree holding streams/screening/normalize.py and a compiled file beside it."""
    source = tmp_path / "streams" / "screening" / "normalize.py"
    source.parent.mkdir(parents=True)
    source.write_text("x = 1\n")
    built = source.with_name(f"normalize{SUFFIX}")
    built.write_bytes(b"\0")
    return source, built


def test_a_compiled_file_older_than_its_source_is_stale(tmp_path: Path) -> None:
    source, built = _tree(tmp_path)
    now = time.time()
    os.utime(built, (now - 60, now - 60))  # built, then the source was edited
    os.utime(source, (now, now))
    assert build_info.stale_compiled(tmp_path) == [built]
    os.utime(built, (now + 1, now + 1))  # rebuilt
    assert build_info.stale_compiled(tmp_path) == []


def test_clean_removes_the_compiled_files_and_their_shared_library(tmp_path: Path) -> None:
    source, built = _tree(tmp_path)
    shared = tmp_path / f"streams__mypyc{SUFFIX}"
    shared.write_bytes(b"\0")
    assert build_info.clean(tmp_path) == sorted([built, shared])
    assert source.is_file() and not built.exists() and not shared.exists()


def test_every_module_to_compile_is_a_module_of_the_package() -> None:
    for name in build_info.COMPILED_MODULES:
        assert ROOT.joinpath(*name.split(".")).with_suffix(".py").is_file(), name
    # the pure screening core and the rule engine, where the CPU per payment goes
    assert "streams.screening.index" in build_info.COMPILED_MODULES
    assert "streams.rules.engine" in build_info.COMPILED_MODULES


def test_the_build_is_described_as_it_loads() -> None:
    compiled = build_info.compiled_modules()
    for name in compiled:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        assert spec.origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    if os.environ.get("STREAMS_EXPECT_COMPILED") == "1":  # CI's compiled pass sets it
        assert compiled == list(build_info.COMPILED_MODULES)
        assert build_info.describe() == f"compiled (mypyc, {len(compiled)} modules)"
    elif not compiled:
        assert build_info.describe() == "pure Python"


def test_this_source_tree_holds_no_stale_compiled_module() -> None:
    assert build_info.stale_compiled(ROOT) == [], (
        "compiled modules older than their source would run the old code: rebuild with "
        "`STREAMS_COMPILE=1 python setup.py build_ext --inplace` or remove them with "
        "`python -m streams.build_info --clean`")
