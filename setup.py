"""Optional compiled build: `STREAMS_COMPILE=1 pip install .` compiles the hot modules.

Without STREAMS_COMPILE the package is pure Python (pyproject.toml says everything else).
With it, mypyc (from mypy, added to the build requirements) compiles the modules listed in
streams/build_info.py to C extensions; a C compiler and the Python headers are needed.
In a source tree, for benchmarks: `STREAMS_COMPILE=1 python setup.py build_ext --inplace`
(remove the built files with `python -m streams.build_info --clean`).
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent
#: The mypy releases whose mypyc this build was tested with.
MYPYC_REQUIREMENT = "mypy>=2.4,<3"


def compiled_sources() -> list[str]:
    """The source files of the modules to compile, from streams/build_info.py."""
    info = runpy.run_path(str(HERE / "streams" / "build_info.py"))
    return [name.replace(".", "/") + ".py" for name in info["COMPILED_MODULES"]]


if os.environ.get("STREAMS_COMPILE", "0") == "1":
    try:
        from mypyc.build import mypycify
    except ImportError:  # pip's first pass asks for the build requirements: mypy among them
        setup(setup_requires=[MYPYC_REQUIREMENT])
    else:
        setup(setup_requires=[MYPYC_REQUIREMENT],
              ext_modules=mypycify(compiled_sources(), opt_level="3", group_name="streams"))
else:
    setup()
