"""Which build is running: pure Python, or with the hot modules compiled by mypyc.

The package is pure Python. Built with `STREAMS_COMPILE=1` (setup.py), the modules named in
COMPILED_MODULES (the name-screening core, the rule engine and the worker's per-payment
path) are compiled to C extensions by mypyc, from the same typed source: the same results,
less CPU. This module imports only the standard library: setup.py reads the list from it.
"""

from __future__ import annotations

import importlib.machinery
from pathlib import Path

__all__ = ["COMPILED_MODULES", "clean", "compiled_modules", "describe", "stale_compiled"]

#: The modules a compiled build compiles: where the worker spends its CPU per payment.
COMPILED_MODULES: tuple[str, ...] = (
    "streams.screening.normalize",
    "streams.screening.scoring",
    "streams.screening.words",
    "streams.screening.token_plans",
    "streams.screening.vocabulary",
    "streams.screening.index",
    "streams.screening.screener",
    "streams.screening.explain",
    "streams.screening.listset",
    "streams.screening.countries",
    "streams.screening.nk",
    "streams.screening.entities",
    "streams.rules.engine",
    "streams.rules.conditions",
    "streams.rules.matchers",
    "streams.rules.context",
    "streams.rules.window",
    "streams.rules.text",
    "streams.rules.allowlist",
    "streams.pipeline",
    "streams.worker.candidates",
    "streams.worker.processing",
    "streams.worker.inflight",
    "streams.worker.repartition",
)

_EXTENSIONS = tuple(importlib.machinery.EXTENSION_SUFFIXES)


def _sources_and_built(root: Path) -> list[tuple[Path, list[Path]]]:
    """Each module of COMPILED_MODULES under `root`: its `.py` and the compiled files beside it."""
    found = []
    for name in COMPILED_MODULES:
        source = root.joinpath(*name.split(".")).with_suffix(".py")
        built = [path for path in source.parent.glob(f"{source.stem}.*")
                 if path.name.endswith(_EXTENSIONS)]
        found.append((source, built))
    return found


def compiled_modules() -> list[str]:
    """The modules of COMPILED_MODULES that load from a compiled extension here.

    Python's importer prefers an extension module to the `.py` beside it; this looks for
    one without importing anything.
    """
    pairs = _sources_and_built(Path(__file__).resolve().parent.parent)
    return [name for name, (_, built) in zip(COMPILED_MODULES, pairs, strict=True) if built]


def describe() -> str:
    """One line for logs and benchmark reports: "pure Python" or "compiled (mypyc, ...)"."""
    compiled = compiled_modules()
    if not compiled:
        return "pure Python"
    if len(compiled) == len(COMPILED_MODULES):
        return f"compiled (mypyc, {len(compiled)} modules)"
    return f"partly compiled (mypyc, {len(compiled)} of {len(COMPILED_MODULES)} modules)"


def stale_compiled(root: Path) -> list[Path]:
    """Compiled files in a source tree older than the module they were built from.

    An in-place build (`STREAMS_COMPILE=1 python setup.py build_ext --inplace`) puts them
    beside the sources, where Python loads them instead of the `.py`: after an edit or a
    pull they run the old code until rebuilt or deleted.
    """
    return sorted(path for source, built in _sources_and_built(root) if source.is_file()
                  for path in built if path.stat().st_mtime < source.stat().st_mtime)


def clean(root: Path) -> list[Path]:
    """Remove the compiled files of an in-place build from a source tree; the files removed."""
    shared = [path for path in root.glob("*__mypyc.*")  # the library the modules share
              if path.name.endswith(_EXTENSIONS)]
    removed = sorted([path for _, built in _sources_and_built(root) for path in built] + shared)
    for path in removed:
        path.unlink()
    return removed


def main(argv: list[str] | None = None) -> int:
    """`python -m streams.build_info [--clean]`: print the build (or clean an in-place one)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m streams.build_info", description=__doc__)
    parser.add_argument("--clean", action="store_true",
                        help="remove the compiled files of an in-place build from this tree")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    if args.clean:
        for path in clean(root):
            print(f"removed {path}")
        return 0
    print(describe())
    # a source tree (an installed package has no pyproject.toml beside it)
    stale = stale_compiled(root) if (root / "pyproject.toml").is_file() else []
    for path in stale:
        print(f"stale: {path} is older than its source; rebuild or run --clean")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
