"""Hits do not depend on the process: two interpreters with different hash seeds agree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_eval_golden import EVAL_FILE

# Short words with many typo neighbours, whose ties once fell in hash order, and dev queries.
NAMES = ["KAMALI, ALA", "SAI AL-AHMAD", "MAN KIM", "AMA HAN", "SAR MON"]

SCRIPT = """
import json, sys
from pathlib import Path
from streams.screening.listset import load_lists
from streams.screening.screener import Screener
screener = Screener(load_lists([Path(sys.argv[1])]))
names = json.loads(sys.stdin.read())
print(json.dumps([[(h.list_id, h.entry_id, h.score, h.explanation)
                   for h in screener.screen_name(name)] for name in names]))
"""


def _hits(lists_dir: Path, names: list[str], hash_seed: str) -> list[object]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(lists_dir)], input=json.dumps(names),
                          capture_output=True, text=True, env=env, check=True, timeout=300)
    hits: list[object] = json.loads(done.stdout)
    return hits


@pytest.mark.slow
def test_hits_are_the_same_under_any_hash_seed(shared_lists_dir: Path) -> None:
    names = list(NAMES)
    if EVAL_FILE.is_file():
        with EVAL_FILE.open(encoding="utf-8") as handle:
            names += [json.loads(line)["query"] for line in handle][::25]
    first = _hits(shared_lists_dir, names, "16")
    second = _hits(shared_lists_dir, names, "99")
    assert first[0], "KAMALI, ALA must find KAMALI, Ali"
    differing = [name for name, a, b in zip(names, first, second, strict=True) if a != b]
    assert not differing, differing
