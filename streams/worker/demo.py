"""`streams demo`: the 2016 scenario on an embedded broker and a real worker, then a clean exit.

It starts the embedded broker and a `streams worker` child on free local ports, publishes the
scenario (streams/worker/demo_scenario.py), prints each alert as it arrives, checks that the
flagged payments were flagged and the clean ones cleared, and stops both processes.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from streams.broker import EmbeddedBroker, free_port
from streams.errors import StreamsError
from streams.harness import Collected, WorkerProcess, collect, create_topics, produce
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR
from streams.worker.demo_scenario import CLEAN, FLAGGED, SCENARIO

__all__ = ["DemoError", "run_demo"]

Echo = Callable[[str], None]

PARTITIONS = 2
ROW = "{pid:<14} {action:<6} {rule:<24} {role:<22} {value:<40} {entry}"


class DemoError(StreamsError):
    """The demo could not run, timed out, or screened the scenario wrongly."""


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _alert_rows(alert: dict[str, Any]) -> list[str]:
    """One table row per hit; the payment and action only on the first."""
    rows = []
    for i, hit in enumerate(alert["hits"]):
        if hit.get("entry_id"):
            entry = f"{hit.get('list')} {hit['entry_id']} {hit.get('entry_name') or ''}".strip()
            if hit.get("score") is not None:
                entry += f" ({hit['score']:.0f})"
        else:
            entry = _clip(hit["explanation"], 60)
        rows.append(ROW.format(
            pid=alert["payment_id"] if i == 0 else "", action=alert["action"] if i == 0 else "",
            rule=_clip(hit["rule_id"], 24), role=_clip(hit["role"], 22),
            value=_clip(f"{hit['field']}={hit['value']}", 40), entry=entry,
        ))
    return rows


def _scenario_records() -> list[tuple[bytes | None, bytes | None]]:
    return [(p["payment_id"].encode(), json.dumps(p).encode()) for p in SCENARIO]


def _worker_env(settings: dict[str, Any]) -> dict[str, str]:
    """STREAMS_* variables for Settings fields (lists as the JSON pydantic-settings reads)."""
    env = {}
    for name, value in settings.items():
        text = json.dumps([str(v) for v in value]) if isinstance(value, list) else str(value)
        env[f"STREAMS_{name.upper()}"] = text
    return env


async def _screen_scenario(bootstrap: str, topics: dict[str, str], worker: WorkerProcess,
                           timeout: float, echo: Echo) -> dict[str, str]:
    """Publish the scenario, print alerts as they arrive; payment_id -> decision."""
    decisions: dict[str, str] = {}
    dead: list[str] = []

    def on_record(topic: str, body: dict[str, Any], _at: float) -> None:
        if topic == topics["alerts_topic"]:
            for row in _alert_rows(body):
                echo(row)
        elif topic == topics["results_topic"]:
            decisions[body["payment_id"]] = body["decision"]
        else:
            dead.append(str(body.get("error")))

    def done(_collected: Collected) -> bool:
        return len(decisions) >= len(SCENARIO) or bool(dead) or not worker.alive()

    await produce(bootstrap, topics["payments_topic"], _scenario_records())
    echo(f"published {len(SCENARIO)} payments to `{topics['payments_topic']}`; "
         "alerts as they arrive:")
    echo("")
    echo(ROW.format(pid="PAYMENT", action="ACTION", rule="RULE", role="ROLE",
                    value="FIELD=VALUE", entry="LIST ENTRY (SCORE) / REASON"))
    await collect(bootstrap, [topics["alerts_topic"], topics["results_topic"],
                              topics["dlq_topic"]], done, timeout=timeout, on_record=on_record)
    if dead:
        raise DemoError(f"a scenario payment was dead-lettered: {dead[0]}")
    if len(decisions) < len(SCENARIO):
        if not worker.alive():
            raise DemoError(f"the worker exited early; its log:\n{_tail(worker)}")
        raise DemoError(f"timed out after {timeout:.0f}s with {len(decisions)} of "
                        f"{len(SCENARIO)} results; the worker's log:\n{_tail(worker)}")
    return decisions


def _tail(worker: WorkerProcess, lines: int = 30) -> str:
    return "\n".join(worker.log_text().splitlines()[-lines:])


def _route(payment: dict[str, Any]) -> str:
    """`debtor (bank) -> creditor (bank)`, for the list of cleared payments."""
    def bank(agent: dict[str, Any]) -> str:
        return str(agent.get("name") or agent.get("bic"))

    return (f"{payment['debtor']['name']} ({bank(payment['debtor_agent'])}) -> "
            f"{payment['creditor']['name']} ({bank(payment['creditor_agent'])})")


def _check(decisions: dict[str, str], echo: Echo) -> list[str]:
    """Print the verdicts and return what went wrong (a flagged payment cleared, or the reverse)."""
    problems = []
    missed = sorted(pid for pid in FLAGGED if decisions.get(pid) == "clear")
    wrong = sorted(pid for pid in CLEAN if decisions.get(pid) != "clear")
    flagged = [pid for pid in FLAGGED if pid not in missed]
    echo("")
    echo(f"{len(flagged)} of {len(FLAGGED)} scenario payments flagged: "
         + ", ".join(f"{pid} ({decisions[pid]})" for pid in flagged))
    echo(f"{len(CLEAN) - len(wrong)} of {len(CLEAN)} clean payments cleared "
         f"(South Korean, Chinese, US, European and Japanese banks):")
    for pid, payment in CLEAN.items():
        echo(f"  {pid}  {decisions.get(pid, 'no result'):<6} {_route(payment)}")
    if missed:
        problems.append("not flagged: " + ", ".join(missed))
    if wrong:
        problems.append("flagged but clean: " + ", ".join(f"{p} ({decisions[p]})" for p in wrong))
    return problems


def run_demo(lists_paths: list[Path], rules_dir: Path | None, *, timeout: float = 120.0,
             verbose: bool = False, echo: Echo = print) -> None:
    """Run the whole demo; raise DemoError when anything fails, after stopping every process."""
    lists = [Path(p) for p in lists_paths] or [SAMPLE_LISTS_DIR]
    rules = rules_dir or REPO_RULES_DIR
    work = Path(tempfile.mkdtemp(prefix="streams-demo-"))
    topics = {"payments_topic": "payments", "alerts_topic": "alerts",
              "results_topic": "screening-results", "dlq_topic": "payments-dlq"}
    started = time.monotonic()
    echo(f"lists: {', '.join(map(str, lists))}; rules: {rules}")
    with EmbeddedBroker(log_path=work / "broker.log") as broker:
        echo(f"broker: {broker.url} (pid {broker.pid})")
        asyncio.run(create_topics(broker.bootstrap, topics.values(), PARTITIONS))
        env = _worker_env({
            "broker": broker.url, "app_id": "streams-demo", "topic_partitions": PARTITIONS,
            "lists_paths": lists, "rules_dir": rules, "data_dir": work / "data",
            "web_port": free_port(), "log_level": "info" if verbose else "warning", **topics,
        })
        worker = WorkerProcess(env, log_path=work / "worker.log").start()
        try:
            echo(f"worker: pid {worker.pid}, metrics on "
                 f"http://127.0.0.1:{env['STREAMS_WEB_PORT']}/metrics")
            decisions = asyncio.run(_screen_scenario(broker.bootstrap, topics, worker,
                                                     timeout, echo))
        finally:
            code = worker.stop(timeout=30.0)
            if verbose:
                echo(_tail(worker, 40))
        problems = _check(decisions, echo)
        echo(f"worker stopped (exit {code}); broker stopped. "
             f"{time.monotonic() - started:.1f}s in all.")
    if problems:
        raise DemoError("; ".join(problems))
    if code != 0:
        raise DemoError(f"the worker exited with {code}; its log: {work / 'worker.log'}")
