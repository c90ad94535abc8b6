"""deploy/: promtool checks of the scrape config and alert rules, and the Grafana dashboard.

promtool comes from the Debian `prometheus` package (.ci/run installs it). Without it these
tests fail in CI (CI=true) and are skipped elsewhere, with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from streams import metrics

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
GRAFANA_DIR = REPO / "deploy" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "streams.json"

# Series Prometheus makes itself for every target.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
METRIC_NAME = re.compile(r"\b(streams_[a-z0-9_]+|up)\b(?!\s*\()")
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


def promtool() -> str:
    """The promtool binary: fails in CI, skips elsewhere, when it is not installed."""
    found = shutil.which("promtool")
    if found:
        return found
    message = "promtool not found: apt-get install prometheus (the Debian package has promtool)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def run_promtool(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool(), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def exported_series() -> set[str]:
    """Every sample name the worker's registry exposes once each metric has a value."""
    metrics.set_list_loaded("deploy_test_list", 10, 1_700_000_000.0)
    metrics.set_ruleset("deploy-test", 1)
    metrics.set_consumer_lag({("json", 0): 0})
    metrics.record_reload("rules", ok=True)
    metrics.ALERTS.labels(rule="deploy-test", severity="low")
    metrics.DEAD_LETTERS.labels(reason="json")
    text = metrics.render().decode()
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples}


def dashboard_panels() -> list[dict]:
    dashboard = json.loads(DASHBOARD.read_text())
    return dashboard["panels"]


def dashboard_exprs() -> list[tuple[str, str]]:
    return [(p["title"], t["expr"]) for p in dashboard_panels() for t in p["targets"]]


def names_in(expr: str) -> set[str]:
    """Metric names in a PromQL expression (label values and functions excluded)."""
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    return set(METRIC_NAME.findall(without_strings))


def test_promtool_check_config() -> None:
    done = run_promtool("check", "config", str(PROMETHEUS_DIR / "prometheus.yml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_promtool_check_rules() -> None:
    done = run_promtool("check", "rules", str(PROMETHEUS_DIR / "alerts.yml"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_promtool_unit_tests_pass_and_cover_every_alert() -> None:
    done = run_promtool("test", "rules", "alerts_test.yml", cwd=PROMETHEUS_DIR)
    assert done.returncode == 0, done.stdout + done.stderr
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    tests = yaml.safe_load((PROMETHEUS_DIR / "alerts_test.yml").read_text())["tests"]
    firing = {case["alertname"] for t in tests for case in t["alert_rule_test"]
              if case["exp_alerts"]}
    quiet = {case["alertname"] for t in tests for case in t["alert_rule_test"]
             if not case["exp_alerts"]}
    assert alerts == firing, "every alert needs a test where it fires"
    assert alerts == quiet, "every alert needs a test where it stays quiet"


def test_promtool_test_rules_can_fail(tmp_path: Path) -> None:
    tests = yaml.safe_load((PROMETHEUS_DIR / "alerts_test.yml").read_text())
    tests["rule_files"] = [str(PROMETHEUS_DIR / "alerts.yml")]
    tests["tests"][0]["alert_rule_test"][0]["exp_alerts"] = [{"exp_labels": {"x": "y"}}]
    broken = tmp_path / "broken_test.yml"
    broken.write_text(yaml.safe_dump(tests))
    done = run_promtool("test", "rules", str(broken))
    assert done.returncode != 0


def test_promtool_check_metrics_accepts_our_exposition() -> None:
    exported_series()
    done = subprocess.run([promtool(), "check", "metrics"], input=metrics.render().decode(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_alert_rules_use_only_exported_metrics() -> None:
    exported = exported_series() | PROMETHEUS_SERIES
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            unknown = names_in(rule["expr"]) - exported
            assert not unknown, f"{rule['alert']} uses {unknown}"


def test_dashboard_covers_what_ops_teams_watch() -> None:
    used = {name for _, expr in dashboard_exprs() for name in names_in(expr)}
    for needed in ("streams_payments_consumed_total", "streams_screening_results_total",
                   "streams_alerts_total", "streams_screening_latency_seconds_bucket",
                   "streams_consumer_lag_records", "streams_dead_letters_total",
                   "streams_list_age_seconds", "streams_reloads_total", "streams_worker_ready"):
        assert needed in used, f"no panel shows {needed}"


def test_every_dashboard_query_names_an_exported_metric() -> None:
    exported = exported_series() | PROMETHEUS_SERIES
    exprs = dashboard_exprs()
    assert len(exprs) >= 10
    for title, expr in exprs:
        names = names_in(expr)
        assert names, f"panel {title!r} queries no metric: {expr}"
        unknown = names - exported
        assert not unknown, f"panel {title!r} queries {unknown}, which the worker does not export"


def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    # promtool parses every expression of a rule file: wrap each query in a recording rule
    rules = []
    for i, (_, expr) in enumerate(dashboard_exprs()):
        concrete = (expr.replace("$__rate_interval", "1m").replace('=~"$job"', '=~".*"')
                    .replace('=~"$instance"', '=~".*"'))
        rules.append({"record": f"dashboard:query_{i}", "expr": concrete})
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    done = run_promtool("check", "rules", str(path))
    assert done.returncode == 0, done.stdout + done.stderr


def test_dashboard_structure_and_datasource() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    datasource = yaml.safe_load(
        (GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uid = datasource["datasources"][0]["uid"]
    assert dashboard["uid"] and dashboard["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == uid, panel["title"]
        assert panel["targets"], panel["title"]
        grid = panel["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == uid
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert variables == {"job", "instance"}
    provider = yaml.safe_load(
        (GRAFANA_DIR / "provisioning" / "dashboards" / "streams.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_metric_name_finder_ignores_functions_and_label_values() -> None:
    expr = 'histogram_quantile(0.99, sum by (le) (rate(streams_x_bucket{reason="streams_y"}[5m])))'
    assert names_in(expr) == {"streams_x_bucket"}
