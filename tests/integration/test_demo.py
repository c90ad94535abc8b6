"""`streams demo` end to end: the command a newcomer runs first must work and exit 0."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from streams.worker.demo_scenario import CLEAN, FLAGGED

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DEMO_CODE = "import sys; from streams.cli.main import cli; sys.exit(cli())"


def test_demo_flags_the_2016_payments_and_exits_cleanly() -> None:
    done = subprocess.run([sys.executable, "-c", DEMO_CODE, "demo", "--timeout", "90"],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for pid in FLAGGED:
        assert f"{pid}  block" in out, pid
    for pid in CLEAN:
        assert f"{pid} " not in out.split("alerts as they arrive:")[1].split("\n\n")[1], pid
    # the parties and banks of the case, with their list entries and ids
    assert "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO LTD" in out
    assert "ofac_sdn 20564" in out
    assert "ofac_sdn 11581 KOREA KWANGSON BANKING CORP" in out
    assert "bic=FTBDKPPY" in out and "ofac_sdn 15603" in out
    assert f"{len(FLAGGED)} of {len(FLAGGED)} scenario payments flagged" in out
    assert f"{len(CLEAN)} of {len(CLEAN)} clean payments cleared" in out
    assert "worker stopped (exit 0)" in out
    pids = [int(p) for p in re.findall(r"\bpid (\d+)", out)]
    assert len(pids) == 2  # the broker and the worker
    assert not [pid for pid in pids if _alive(pid)], "the demo left processes behind"


def _alive(pid: int) -> bool:
    """True if `pid` still runs (a few seconds of grace for init to reap it)."""
    for _ in range(20):
        try:
            os.kill(pid, 0)
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except (ProcessLookupError, FileNotFoundError):
            return False
        if state == "Z":  # exited, waiting for init to reap it
            return False
        time.sleep(0.25)
    return True


def test_demo_fails_clearly_when_the_worker_cannot_start(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "broken.yaml").write_text("rules:\n  - id: broken\n    severity: dire\n")
    done = subprocess.run([sys.executable, "-c", DEMO_CODE, "demo", "--rules", str(rules),
                           "--timeout", "60"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "demo failed" in done.stderr
    assert "broken.yaml" in done.stderr  # the worker's own error, passed on
    pids = [int(p) for p in re.findall(r"\bpid (\d+)", done.stdout)]
    assert pids and not [pid for pid in pids if _alive(pid)]
