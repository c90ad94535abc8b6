"""A real Prometheus scrapes a real `streams worker` on the embedded broker.

The worker runs as a subprocess (`streams worker`, STREAMS_* env, unique topics and group);
Prometheus (the Debian `prometheus` package) runs on a free 127.0.0.1 port with a temporary
storage directory, a 1 s scrape interval and our alerting rules. Without the prometheus
binary the test fails in CI (CI=true) and is skipped elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiokafka import AIOKafkaProducer

from streams.broker import EmbeddedBroker, free_port, wait_for_port
from streams.models import Agent, Party, Payment
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
ALERT_RULES = REPO / "deploy" / "prometheus" / "alerts.yml"
DASHBOARD = REPO / "deploy" / "grafana" / "dashboards" / "streams.json"
CLEAN = 12
FLAGGED = 2
BAD_RECORDS = [b"not json", b'{"payment_id": "x"}', b"\xff\xfe"]


def require_binary(name: str) -> str:
    """A binary of the Debian prometheus package: fails in CI, skips elsewhere, when missing."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} not found: apt-get install prometheus (Debian package)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def wait_until(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.5) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (OSError, urllib.error.URLError, ValueError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}; last: {last!r}")


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """SIGTERM, then SIGKILL if the process lingers; by pid only."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@dataclass
class RunningWorker:
    web: str
    payments_topic: str
    log: Path


@pytest.fixture
def worker(broker: EmbeddedBroker, unique_name: str, tmp_path: Path) -> Iterator[RunningWorker]:
    """A `streams worker` subprocess on the embedded broker, ready (GET /readyz is 200)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMS_")}
    env.update({
        "STREAMS_BROKER": broker.url,
        "STREAMS_APP_ID": f"prom-{unique_name}",
        "STREAMS_PAYMENTS_TOPIC": f"payments-{unique_name}",
        "STREAMS_ALERTS_TOPIC": f"alerts-{unique_name}",
        "STREAMS_RESULTS_TOPIC": f"results-{unique_name}",
        "STREAMS_DLQ_TOPIC": f"dlq-{unique_name}",
        "STREAMS_PACS008_TOPIC": f"pacs008-{unique_name}",
        "STREAMS_MT103_TOPIC": f"mt103-{unique_name}",
        "STREAMS_CONTROL_TOPIC": f"control-{unique_name}",
        "STREAMS_TOPIC_PARTITIONS": "2",
        "STREAMS_WEB_HOST": "127.0.0.1",
        "STREAMS_WEB_PORT": str(port),
        "STREAMS_LISTS_PATHS": json.dumps([str(SAMPLE_LISTS_DIR)]),
        "STREAMS_RULES_DIR": str(REPO_RULES_DIR),
        "STREAMS_DATA_DIR": str(tmp_path / "worker-data"),
        "STREAMS_LOG_LEVEL": "info",
        "STREAMS_LOG_JSON": "true",
    })
    log = tmp_path / "worker.log"
    beside_python = Path(sys.executable).parent / "streams"
    streams_cli = str(beside_python) if beside_python.is_file() else shutil.which("streams")
    assert streams_cli, "the `streams` console script is not installed"
    with open(log, "wb") as out:
        process = subprocess.Popen([streams_cli, "worker"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    web = f"http://127.0.0.1:{port}"
    try:
        def ready() -> bool:
            if process.poll() is not None:
                pytest.fail(f"worker exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            return http_get(f"{web}/readyz")[0] == 200
        wait_until(ready, 120, "the worker's /readyz to answer 200")
        yield RunningWorker(web=web, payments_topic=f"payments-{unique_name}", log=log)
    finally:
        stop_process(process)


@dataclass
class RunningPrometheus:
    url: str

    def query(self, promql: str) -> list[dict[str, Any]]:
        """The vector result of an instant query."""
        status, body = http_get(f"{self.url}/api/v1/query?" + urllib.parse.urlencode(
            {"query": promql}))
        assert status == 200, body
        answer = json.loads(body)
        assert answer["status"] == "success", answer
        return list(answer["data"]["result"])

    def scalar(self, promql: str) -> float | None:
        result = self.query(promql)
        return float(result[0]["value"][1]) if result else None


@pytest.fixture
def prometheus(worker: RunningWorker, tmp_path: Path) -> Iterator[RunningPrometheus]:
    """A real Prometheus scraping the worker every second, with our alerting rules loaded."""
    binary = require_binary("prometheus")
    port = free_port()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(ALERT_RULES)],
        "scrape_configs": [{
            "job_name": "streams",
            "static_configs": [{"targets": [worker.web.removeprefix("http://")]}],
        }],
    }
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config))
    log = tmp_path / "prometheus.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [binary, f"--config.file={config_file}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_port("127.0.0.1", port, timeout=30)
        wait_until(lambda: http_get(f"{url}/-/ready")[0] == 200, 30, "Prometheus /-/ready")
        yield RunningPrometheus(url)
    finally:
        stop_process(process)


def payment(payment_id: str, flagged: bool) -> bytes:
    """A payment; flagged ones pay the Foreign Trade Bank of the DPRK (BIC FTBDKPPY)."""
    return Payment(
        payment_id=payment_id, created_at=datetime.now(timezone.utc),
        amount=Decimal("2500.00"), currency="USD",
        debtor=Party(name="Shenyang Machinery Import Export", account="CN001122334455667788"),
        debtor_agent=Agent(bic="BKCHCNBJ"),
        creditor_agent=Agent(bic="FTBDKPPY" if flagged else "KOEXKRSE"),
        creditor=Party(name="Pyongyang Trading" if flagged else "Busan Logistics"),
    ).model_dump_json().encode()


async def produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for i, value in enumerate(values):
            await producer.send_and_wait(topic, value, key=f"k{i}".encode())
    finally:
        await producer.stop()


def test_prometheus_counts_the_payments_a_worker_screens(
    broker: EmbeddedBroker, worker: RunningWorker, prometheus: RunningPrometheus, unique_name: str,
) -> None:
    # the scrape target is up and the worker reports itself ready
    wait_until(lambda: prometheus.scalar('up{job="streams"}') == 1, 30, "the worker target up")
    wait_until(lambda: prometheus.scalar("streams_worker_ready") == 1, 30, "worker ready in TSDB")

    values = [payment(f"clean-{unique_name}-{i}", flagged=False) for i in range(CLEAN)]
    values += [payment(f"dprk-{unique_name}-{i}", flagged=True) for i in range(FLAGGED)]
    values += BAD_RECORDS
    asyncio.run(produce(broker.bootstrap, worker.payments_topic, values))

    total = len(values)
    wait_until(
        lambda: prometheus.scalar('sum(streams_payments_consumed_total{source="json"})') == total,
        90, f"Prometheus to count {total} consumed payments",
    )
    wait_until(lambda: prometheus.scalar("sum(streams_screening_results_total)") == CLEAN + FLAGGED,
               30, "every payment's result counted")
    assert prometheus.scalar("sum(streams_dead_letters_total)") == len(BAD_RECORDS)
    flagged = prometheus.scalar('sum(streams_screening_results_total{decision!="clear"})')
    assert flagged == FLAGGED
    assert (prometheus.scalar("sum(streams_alerts_total)") or 0) >= FLAGGED
    assert prometheus.scalar("sum(streams_screening_latency_seconds_count)") == CLEAN + FLAGGED
    assert (prometheus.scalar("count(streams_list_entries > 0)") or 0) >= 1
    assert prometheus.scalar("count(streams_ruleset_info)") == 1

    # the latency quantile the dashboard and the p99 alert use is computable
    p99 = prometheus.scalar("histogram_quantile(0.99, sum by (le) "
                            "(rate(streams_screening_latency_seconds_bucket[1m])))")
    assert p99 is not None and p99 > 0

    # our alerting rules load and evaluate against real data without errors
    status, body = http_get(f"{prometheus.url}/api/v1/rules")
    groups = json.loads(body)["data"]["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert {r["name"] for r in rules} >= {"StreamsWorkerDown", "StreamsScreeningLatencyHigh"}
    wait_until(lambda: all(r.get("health") == "ok" for r in _rules(prometheus)), 15,
               "every alert rule evaluated with health ok")
    firing = prometheus.query('ALERTS{alertstate="firing"}')
    assert firing == [], firing


def _rules(prometheus: RunningPrometheus) -> list[dict[str, Any]]:
    body = http_get(f"{prometheus.url}/api/v1/rules")[1]
    return [rule for g in json.loads(body)["data"]["groups"] for rule in g["rules"]]


def test_worker_metrics_pass_promtool_and_cover_the_dashboard(
    worker: RunningWorker, broker: EmbeddedBroker, unique_name: str,
) -> None:
    promtool = require_binary("promtool")
    asyncio.run(produce(broker.bootstrap, worker.payments_topic,
                        [payment(f"dash-{unique_name}", flagged=True), b"not json"]))

    def scraped_with_alert_and_lag() -> str | None:
        status, body = http_get(f"{worker.web}/metrics")
        text = body.decode()
        # the lag gauges appear once records were read and the lag timer (5 s) ran
        counted = "streams_alerts_total{" in text and "streams_consumer_lag_records{" in text
        return text if status == 200 and counted else None

    text = wait_until(scraped_with_alert_and_lag, 60, "an alert and the lag on /metrics")
    done = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr

    # every metric a dashboard panel queries is on the running worker's /metrics
    exposed = {line.split("{")[0].split(" ")[0] for line in text.splitlines()
               if line and not line.startswith("#")}
    dashboard = json.loads(DASHBOARD.read_text())
    wanted = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            wanted |= {word for word in _words(target["expr"]) if word.startswith("streams_")}
    missing = wanted - exposed
    assert not missing, f"dashboard queries metrics the worker does not expose: {missing}"

    status, body = http_get(f"{worker.web}/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"


def _words(expr: str) -> set[str]:
    cleaned = expr
    for char in "(){}[],=~!\"+-*/<>":
        cleaned = cleaned.replace(char, " ")
    return set(cleaned.split())


def test_worker_logs_json_lines_when_asked(worker: RunningWorker) -> None:
    # STREAMS_LOG_JSON=true (set by the fixture): every log line is one JSON object
    assert http_get(f"{worker.web}/healthz")[0] == 200
    lines = [line for line in worker.log.read_text().splitlines() if line.strip()]
    assert lines, "the worker logged nothing"
    for line in lines:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON log line: {line[:200]}")
        assert {"time", "level", "logger", "message"} <= set(entry), line[:200]
