"""Hot reload on a running worker: changed rule and list files take effect, broken ones do not.

One worker (unique topics and group) watches a copy of the repo's rules and of the sample
list, checking every second. Probe payments show which rules and lists screened them.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from worker_fixtures import Names, Received, produce_keyed, read_until, start_worker, worker_env

from streams.broker import EmbeddedBroker
from streams.harness import WorkerProcess
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR
from streams.worker.demo_scenario import CLEAN

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PARTITIONS = 2
TIMEOUT = 60.0

PROBE_RULE = """\
rules:
  - id: reload-probe
    version: 1
    description: Remittance text that mentions the reload probe.
    severity: low
    action: review
    roles: [text]
    when:
      text_match: {keywords: [zebra reload probe]}
"""
BROKEN_RULE = """\
rules:
  - id: broken-rule
    version: 1
    description: Not a valid rule.
    severity: catastrophic
    action: review
    when:
      no_such_condition: {}
"""
PROBE_LIST = """\
list_id: reload_probe_list
name: A list added while the worker runs
version: "2026-11-29"
entries:
  - id: RP-1
    name: ZANZIBAR QUILL RELOAD HOLDINGS
    programs: [TEST]
    source: written by the reload test
"""


@dataclass
class Watched:
    """A running worker and the rule and list directories it watches."""

    names: Names
    bootstrap: str
    worker: WorkerProcess
    rules_dir: Path
    lists_dir: Path
    metrics_url: str
    ids: Iterator[int]

    def probe(self, **changes: Any) -> dict[str, Any]:
        """Send one payment and return its screening result (and its alert, under "alert")."""
        pid = f"PROBE-{next(self.ids)}"
        payment = dict(CLEAN["DEMO-2016-109"], payment_id=pid, **changes)
        asyncio.run(produce_keyed(self.bootstrap, self.names.payments,
                                  [(pid.encode(), json.dumps(payment).encode())]))

        def done(r: Received) -> bool:
            return any(v["payment_id"] == pid for v in r.values(self.names.results))

        received = asyncio.run(read_until(self.bootstrap, [self.names.results,
                                                          self.names.alerts], done, TIMEOUT))
        results = [v for v in received.values(self.names.results) if v["payment_id"] == pid]
        if not results:
            pytest.fail(f"no result for {pid}; worker log:\n{self.worker.log_text()[-3000:]}")
        alerts = [v for v in received.values(self.names.alerts) if v["payment_id"] == pid]
        return {**results[0], "alert": alerts[0] if alerts else None}

    def reload_count(self, kind: str, result: str) -> float:
        """streams_reloads_total{kind, result} from the worker's /metrics."""
        with urllib.request.urlopen(self.metrics_url, timeout=5) as response:
            text = response.read().decode()
        pattern = (rf'^streams_reloads_total\{{kind="{kind}",result="{result}"\}} (\S+)$')
        found = re.search(pattern, text, re.MULTILINE)
        return float(found.group(1)) if found else 0.0

    def wait_for(self, condition: Any, what: str, timeout: float = 30.0) -> Any:
        """Probe until `condition(result)` holds; return that result."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.5)
        pytest.fail(f"timed out waiting for {what}; worker log:\n"
                    f"{self.worker.log_text()[-3000:]}")


@pytest.fixture(scope="module")
def watched(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Watched]:
    tmp = tmp_path_factory.mktemp("reload")
    rules_dir = tmp / "rules"
    shutil.copytree(REPO_RULES_DIR, rules_dir)
    lists_dir = tmp / "lists"
    shutil.copytree(SAMPLE_LISTS_DIR, lists_dir)
    names = Names(f"reload-{time.monotonic_ns() % 10**9}")
    env = worker_env(names, broker.url, PARTITIONS, lists_paths=[lists_dir],
                     rules_dir=rules_dir, data_dir=tmp / "data")
    worker = start_worker(names, broker.bootstrap, env, PARTITIONS, tmp / "worker.log")
    try:
        yield Watched(names, broker.bootstrap, worker, rules_dir, lists_dir,
                      f"http://127.0.0.1:{env['STREAMS_WEB_PORT']}/metrics", count(1))
    finally:
        code = worker.stop()
        assert code == 0, f"worker exit {code}:\n{worker.log_text()[-3000:]}"


def test_rule_change_then_broken_rule_file(watched: Watched) -> None:
    before = watched.probe(remittance_info="zebra reload probe")
    assert before["decision"] == "clear"
    first_version = before["ruleset_version"]

    (watched.rules_dir / "probe.yaml").write_text(PROBE_RULE)
    after = watched.wait_for(
        lambda: (r := watched.probe(remittance_info="zebra reload probe"))["ruleset_version"]
        != first_version and r, "the new rule set")
    assert after["decision"] == "review"
    assert {h["rule_id"] for h in after["alert"]["hits"]} == {"reload-probe"}
    assert after["alert"]["ruleset_version"] == after["ruleset_version"]
    second_version = after["ruleset_version"]

    failures = watched.reload_count("rules", "failure")
    (watched.rules_dir / "broken.yaml").write_text(BROKEN_RULE)
    watched.wait_for(lambda: watched.reload_count("rules", "failure") > failures,
                     "the broken file to be rejected")
    kept = watched.probe(remittance_info="zebra reload probe")
    assert kept["ruleset_version"] == second_version
    assert kept["decision"] == "review"
    assert watched.worker.alive()
    assert "broken.yaml" in watched.worker.log_text()


def test_list_file_added_then_broken_list_file(watched: Watched) -> None:
    creditor = {"name": "Zanzibar Quill Reload Holdings", "country": "GB"}
    assert watched.probe(creditor=creditor)["decision"] == "clear"

    (watched.lists_dir / "probe.yaml").write_text(PROBE_LIST)
    flagged = watched.wait_for(
        lambda: (r := watched.probe(creditor=creditor))["decision"] != "clear" and r,
        "the new list to screen")
    assert "reload_probe_list" in flagged["lists_version"]
    hits = flagged["alert"]["hits"]
    assert ("creditor", "reload_probe_list", "RP-1") in {
        (h["role"], h["list"], h["entry_id"]) for h in hits}

    failures = watched.reload_count("lists", "failure")
    (watched.lists_dir / "broken.yaml").write_text("list_id: [not, a, name]\nentries: 7\n")
    watched.wait_for(lambda: watched.reload_count("lists", "failure") > failures,
                     "the broken list file to be rejected")
    kept = watched.probe(creditor=creditor)
    assert kept["decision"] == flagged["decision"]
    assert kept["lists_version"] == flagged["lists_version"]
