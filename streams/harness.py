"""Drive real worker processes against a broker: spawn and signal them, produce, collect.

Used by the benchmarks and the integration tests (and handy for load tests by hand); it
talks to Kafka with aiokafka only, never with Faust, so it sees what any consumer sees.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

__all__ = [
    "Collected",
    "TopicNames",
    "WorkerProcess",
    "collect",
    "create_topics",
    "metric_samples",
    "metric_total",
    "scrape",
    "warm_up",
    "produce",
    "worker_command",
    "worker_env",
]

WORKER_CODE = "import sys; from streams.cli.main import cli; sys.exit(cli())"


@dataclass(frozen=True)
class TopicNames:
    """The four topics of one worker group."""

    payments: str
    alerts: str
    results: str
    dlq: str

    @classmethod
    def unique(cls, suffix: str) -> TopicNames:
        """Topic names of their own for one test or benchmark run."""
        return cls(f"payments-{suffix}", f"alerts-{suffix}", f"results-{suffix}",
                   f"payments-dlq-{suffix}")

    def all(self) -> tuple[str, str, str, str]:
        """The four names."""
        return (self.payments, self.alerts, self.results, self.dlq)

    def outputs(self) -> tuple[str, str, str]:
        """What the worker publishes to."""
        return (self.alerts, self.results, self.dlq)


def worker_env(broker_url: str, app_id: str, topics: TopicNames, *, web_port: int,
               data_dir: Path, lists_paths: Sequence[Path] = (), rules_dir: Path | None = None,
               **extra: str) -> dict[str, str]:
    """The STREAMS_* variables of one worker of group `app_id`."""
    env = {
        "STREAMS_BROKER": broker_url, "STREAMS_APP_ID": app_id,
        "STREAMS_PAYMENTS_TOPIC": topics.payments, "STREAMS_ALERTS_TOPIC": topics.alerts,
        "STREAMS_RESULTS_TOPIC": topics.results, "STREAMS_DLQ_TOPIC": topics.dlq,
        "STREAMS_WEB_PORT": str(web_port), "STREAMS_DATA_DIR": str(data_dir),
        "STREAMS_LOG_LEVEL": "info",
    }
    if lists_paths:
        env["STREAMS_LISTS_PATHS"] = json.dumps([str(p) for p in lists_paths])
    if rules_dir is not None:
        env["STREAMS_RULES_DIR"] = str(rules_dir)
    env.update({f"STREAMS_{k.upper()}": v for k, v in extra.items()})
    return env


def scrape(web_port: int, timeout: float = 2.0) -> str | None:
    """The text of a worker's /metrics, or None while it does not answer."""
    url = f"http://127.0.0.1:{web_port}/metrics"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local
            return str(response.read().decode())
    except OSError:
        return None


def metric_samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """(labels, value) of every sample of one metric in a Prometheus text exposition."""
    samples = []
    for line in text.splitlines():
        if not line.startswith(name) or line[len(name):len(name) + 1] not in ("{", " "):
            continue
        head, _, value = line.rpartition(" ")
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', head))
        samples.append((labels, float(value)))
    return samples


def metric_total(web_port: int, name: str) -> float | None:
    """The sum over all label sets of one metric on a worker's /metrics; None if unreachable."""
    text = scrape(web_port)
    if text is None:
        return None
    return sum(value for _, value in metric_samples(text, name))


async def warm_up(
    bootstrap: str,
    payments_topic: str,
    web_ports: Sequence[int],
    make_records: Callable[[int], list[tuple[bytes | None, bytes | None]]],
    *,
    workers: Sequence[WorkerProcess] = (),
    timeout: float = 120.0,
) -> int:
    """Send small bursts until every worker screened some and all were screened; the count sent.

    A group is only stable once each member got partitions: without this, a measurement or
    a fault injected right after start-up would also measure the group joins.
    """
    sent = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            if not worker.alive():
                raise RuntimeError(f"worker exited during warm-up:\n{worker.log_text()[-3000:]}")
        sent += await produce(bootstrap, payments_topic, make_records(64))
        await asyncio.sleep(1.0)
        counts = [metric_total(port, "streams_screening_results_total") for port in web_ports]
        if all(counts) and sum(c or 0 for c in counts) >= sent:
            return sent
    raise RuntimeError(f"workers not all screening after {timeout:.0f} s")


def worker_command(*args: str) -> list[str]:
    """The command line of `streams worker`, run by this interpreter."""
    return [sys.executable, "-c", WORKER_CODE, "worker", *args]


@dataclass
class WorkerProcess:
    """One worker subprocess configured by STREAMS_* variables; stopped by its pid only."""

    env: Mapping[str, str]
    log_path: Path
    command: Sequence[str] = field(default_factory=worker_command)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    def start(self) -> WorkerProcess:
        """Start the worker with the current environment plus `env`."""
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in wait()
        self.process = subprocess.Popen(
            list(self.command), env={**os.environ, **self.env}, stdout=self._log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int:
        """The worker's process id."""
        if self.process is None:
            raise RuntimeError("worker not started")
        return self.process.pid

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process is not None and self.process.poll() is None

    def send(self, sig: int) -> None:
        """Send one signal to the worker process."""
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout: float) -> int | None:
        """The exit code, or None if the worker still runs after `timeout` seconds."""
        if self.process is None:
            return None
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        if self._log:
            self._log.close()
            self._log = None
        return code

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL if the worker lingers; the exit code of whichever ended it."""
        self.send(signal.SIGTERM)
        code = self.wait(timeout)
        if code is None and self.alive():
            self.send(signal.SIGKILL)
            code = self.wait(timeout)
        return code

    def peak_rss_bytes(self) -> int | None:
        """Peak resident memory (VmHWM) of the running worker, from /proc; None if unknown."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except (OSError, RuntimeError):
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return None

    def log_text(self) -> str:
        """Everything the worker printed so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


async def create_topics(bootstrap: str, names: Iterable[str], partitions: int) -> None:
    """Create topics (ignoring ones that exist) with `partitions` partitions each."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        for name in names:
            try:
                await admin.create_topics(
                    [NewTopic(name, num_partitions=partitions, replication_factor=1)])
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


async def produce(
    bootstrap: str,
    topic: str,
    records: Iterable[tuple[bytes | None, bytes | None]],
    *,
    rate: float | None = None,
    on_sent: Callable[[bytes | None, float], None] | None = None,
) -> int:
    """Send (key, value) records, at `rate` per second if given; `on_sent(key, t)` per record."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks=-1, linger_ms=0 if rate else 5,
                                max_request_size=8_388_608)
    await producer.start()
    sent = 0
    futures = []
    started = time.perf_counter()
    try:
        for key, value in records:
            if rate:
                due = started + sent / rate
                delay = due - time.perf_counter()
                if delay > 0.002:
                    await asyncio.sleep(delay)
            if on_sent:
                on_sent(key, time.perf_counter())
            futures.append(await producer.send(topic, value=value, key=key))
            sent += 1
            if len(futures) >= 1000:
                await asyncio.gather(*futures)
                futures.clear()
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return sent


@dataclass
class Collected:
    """Records read back from the output topics, decoded from JSON where possible."""

    by_topic: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    arrival: dict[str, list[float]] = field(default_factory=dict)

    def of(self, topic: str) -> list[dict[str, Any]]:
        """The records of one topic, in arrival order."""
        return self.by_topic.get(topic, [])


async def collect(
    bootstrap: str,
    topics: Sequence[str],
    done: Callable[[Collected], bool],
    *,
    timeout: float,
    on_record: Callable[[str, dict[str, Any], float], None] | None = None,
    settle: float = 0.0,
) -> Collected:
    """Read every partition of `topics` from the start until `done(collected)` or `timeout`.

    With `settle`, reading goes on that many seconds after `done`, to catch late duplicates.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", fetch_max_wait_ms=50)
    await consumer.start()
    collected = Collected({t: [] for t in topics}, {t: [] for t in topics})
    try:
        partitions = []
        for topic in topics:
            ids = consumer.partitions_for_topic(topic) or await _partitions(consumer, topic)
            partitions += [TopicPartition(topic, p) for p in sorted(ids)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + timeout
        settled_at: float | None = None
        while time.monotonic() < deadline:
            if settled_at is None and done(collected):
                settled_at = time.monotonic() + settle
            if settled_at is not None and time.monotonic() >= settled_at:
                break
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            now = time.perf_counter()
            for tp, records in batches.items():
                for record in records:
                    try:
                        value = json.loads(record.value) if record.value else {}
                    except ValueError:
                        value = {"_raw": record.value}
                    collected.by_topic[tp.topic].append(value)
                    collected.arrival[tp.topic].append(now)
                    if on_record:
                        on_record(tp.topic, value, now)
    finally:
        await consumer.stop()
    return collected


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(50):
        await consumer._client.force_metadata_update()  # noqa: SLF001 - no public refresh
        ids = consumer.partitions_for_topic(topic)
        if ids:
            return set(ids)
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topic {topic} has no partitions")
