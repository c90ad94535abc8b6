"""CLI commands of the streaming side: `streams broker`, `streams worker`, `streams demo`."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from streams.errors import StreamsError
from streams.settings import Settings

__all__ = ["commands"]


def _settings(**overrides: Any) -> Settings:
    """Settings from STREAMS_* variables, with the command-line options given on top."""
    given = {k: v for k, v in overrides.items() if v is not None and v != [] and v != ()}
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise click.UsageError(f"invalid settings: {exc}") from exc


@click.command("broker")
@click.option("--port", default=9092, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
def broker_command(port: int, host: str) -> None:
    """Run the embedded Kafka-compatible broker (Tansu) in the foreground until Ctrl-C."""
    from streams.broker import EmbeddedBroker

    embedded = EmbeddedBroker(host=host, port=port)
    try:
        embedded.start()
    except StreamsError as exc:
        raise click.ClickException(str(exc)) from exc
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"broker listening on {embedded.url} (pid {embedded.pid}); Ctrl-C to stop")
    try:
        while not stop.wait(0.5):
            if embedded.process is not None and embedded.process.poll() is not None:
                raise click.ClickException(
                    f"broker exited unexpectedly with {embedded.process.returncode}")
    finally:
        embedded.stop()
        click.echo("broker stopped")


@click.command("worker")
@click.option("--broker", "broker_url", help="Kafka URL, e.g. kafka://localhost:9092 "
              "[env STREAMS_BROKER].")
@click.option("--web-port", type=click.IntRange(0, 65535),
              help="Port of /metrics, /healthz, /readyz (0: any free port) [STREAMS_WEB_PORT].")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]),
              help="Log level [STREAMS_LOG_LEVEL].")
@click.option("--app-id", help="Faust app id, also the consumer group [STREAMS_APP_ID].")
@click.option("--lists", "lists_paths", multiple=True, type=click.Path(path_type=Path),
              help="List file or directory (repeatable) [STREAMS_LISTS_PATHS].")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Rule directory [STREAMS_RULES_DIR].")
def worker_command(broker_url: str | None, web_port: int | None, log_level: str | None,
                   app_id: str | None, lists_paths: tuple[Path, ...],
                   rules_dir: Path | None) -> None:
    """Run a screening worker: consume payments, publish alerts, results and dead letters."""
    import faust

    from streams.worker.agents import build_worker

    settings = _settings(broker=broker_url, web_port=web_port, log_level=log_level,
                         app_id=app_id, lists_paths=list(lists_paths), rules_dir=rules_dir)
    try:
        ctx = build_worker(settings)
    except StreamsError as exc:
        raise click.ClickException(str(exc)) from exc
    worker = faust.Worker(ctx.app, loglevel=settings.log_level.upper(), quiet=True)
    # Faust's terminal spinner sets the root logger to DEBUG, which makes every library
    # debug call (one per produced message in aiokafka) build a log record: switch it off
    worker.spinner = None
    worker.execute_from_commandline()


@click.command("demo")
@click.option("--lists", "lists_paths", multiple=True, type=click.Path(exists=True,
              path_type=Path), help="Screen against these lists instead of the shipped sample "
              "(e.g. ../shared/data/lists).")
@click.option("--rules", "rules_dir", type=click.Path(exists=True, file_okay=False,
              path_type=Path), help="Rule directory (default: the repo's rules/).")
@click.option("--timeout", default=120.0, show_default=True, type=float,
              help="Seconds to wait for every payment's result before failing.")
@click.option("--verbose", is_flag=True, help="Show the worker's log lines.")
def demo_command(lists_paths: tuple[Path, ...], rules_dir: Path | None, timeout: float,
                 verbose: bool) -> None:
    """Screen the 2016 Dandong scenario on an embedded broker and a worker, then shut down."""
    from streams.worker.demo import DemoError, run_demo

    try:
        run_demo(list(lists_paths), rules_dir, timeout=timeout, verbose=verbose,
                 echo=click.echo)
    except (DemoError, StreamsError) as exc:
        click.echo(f"demo failed: {exc}", err=True)
        sys.exit(1)


commands: list[click.Command] = [broker_command, worker_command, demo_command]
