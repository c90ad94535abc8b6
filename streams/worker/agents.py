"""The worker's agents: screen the payments topic in batches, publish, ack; reload on a timer.

`build_worker(settings)` assembles everything a `streams worker` process runs. Agents for
other wire formats (pacs.008 and MT103, in `format_agents.py`) get the same WorkerContext
through `register(ctx)` and call `screen_stream(stream, decode, ctx, source)` with their
own decoder; see streams/worker/processing.py for the decoder contract.

With `window_partitioning="repartition"` (the default) those agents are stage 1: they
screen each payment with a probe window store and publish its outcome when no windowed
condition was reached; a window candidate is forwarded to `<app_id>-payments-by-debtor`
(forward_batches, streams/worker/candidates.py), and the `screen-by-debtor` agent screens
it there (screen_forwarded), so the windowed totals of one debtor live on one partition
(streams/worker/repartition.py). With "local" they screen directly (screen_batches).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import faust

from streams import metrics
from streams.settings import Settings
from streams.web import Readiness, register_ops_views
from streams.worker.app import Topics, build_app, declare_topics, make_topics
from streams.worker.broker_watch import install_broker_watch
from streams.worker.candidates import WindowRouter, screen_or_forward_records
from streams.worker.processing import (
    BatchReport,
    Headers,
    Outputs,
    PaymentDecoder,
    Publisher,
    json_decoder,
    process_records,
    publish_all,
    records_from_events,
)
from streams.worker.repartition import forward_records, forwarded_records
from streams.worker.state import ScreeningState, load_screening_state
from streams.worker.tuning import freeze_loaded_state
from streams.worker.windows import TableWindowStore, make_window_table

__all__ = [
    "BATCH_SIZE",
    "BATCH_WAIT_SECONDS",
    "WorkerContext",
    "build_worker",
    "forward_batches",
    "screen_batches",
    "screen_forwarded",
    "screen_stream",
]

log = logging.getLogger(__name__)

#: Records screened per batch: large enough to amortise the sends, small enough to keep
#: the event loop (and so the consumer heartbeat) responsive.
BATCH_SIZE = 500
#: How long a batch waits to fill before it is processed anyway. Faust's take waits this
#: long even when records are already buffered, so it adds to every payment's latency;
#: under load batches fill up regardless (0.01 against 0.05 s on the embedded broker:
#: lower p50/p99 at 1,000/s, no loss of throughput).
BATCH_WAIT_SECONDS = 0.01
#: The optional module that registers the pacs.008 and MT103 agents.
FORMAT_AGENTS_MODULE = "streams.worker.format_agents"


class ProducerPublisher:
    """Sends raw bytes through the app's producer; returns the broker-ack future unawaited."""

    def __init__(self, app: faust.App) -> None:
        self.app = app

    async def send(self, topic: str, key: bytes | None, value: bytes,
                   headers: Headers | None = None) -> Awaitable[Any]:
        """Queue one message in the producer's batch and return its delivery future."""
        return await self.app.producer.send(
            topic, key, value, partition=None, timestamp=None,
            headers=list(headers) if headers else None,
        )


class RepeatFilter:
    """Drops records this process already published the outputs of, per input partition.

    After a (re)start, Faust's table recovery seeks the stream partitions back to their
    committed offsets although the consumer may already have fetched from them, so a record
    can be handed over twice (seen on Tansu: a payment screened twice right after a
    restart). Its outputs are out already: the repeat is acked and skipped, which keeps
    at least once and drops only repeats within one process.
    """

    def __init__(self) -> None:
        self.done: dict[tuple[str, int | None], int] = {}

    def fresh(self, events: Sequence[Any]) -> tuple[list[Any], dict[tuple[str, int | None], int]]:
        """The events not processed yet, and the offsets to `mark` once they are published."""
        fresh: list[Any] = []
        seen: dict[tuple[str, int | None], int] = {}
        for event in events:
            message = event.message
            where, offset = (message.topic, message.partition), message.offset
            if offset is not None:
                last = seen.get(where, self.done.get(where))
                if last is not None and offset <= last:
                    continue
                seen[where] = offset
            fresh.append(event)
        return fresh, seen

    def mark(self, seen: dict[tuple[str, int | None], int]) -> None:
        """Remember offsets whose outputs the broker has acknowledged."""
        self.done.update(seen)


@dataclass
class WorkerContext:
    """Everything an agent needs: the app, settings, topics, screening state, publisher."""

    app: faust.App
    settings: Settings
    topics: Topics
    state: ScreeningState
    publisher: Publisher
    outputs: Outputs
    windows: TableWindowStore | None
    readiness: Readiness | None
    repeats: RepeatFilter = field(default_factory=RepeatFilter)
    router: WindowRouter | None = None  # the engine's store; None: stage 1 forwards all

    @property
    def forward_topic(self) -> str | None:
        """The repartition topic stage 1 forwards to, or None when agents screen directly."""
        by_debtor = self.topics.by_debtor
        return by_debtor.get_topic_name() if by_debtor is not None else None


async def screen_stream(
    stream: faust.StreamT[Any], decode: PaymentDecoder, ctx: WorkerContext, source: str = "json"
) -> None:
    """Consume a stream in batches; a batch's events are acked only after its sends are acked.

    `source` is the metrics label of the input kind (one of streams.metrics.SOURCES).
    """
    await ctx.app.maybe_start_producer()
    await declare_topics(ctx.topics)
    if ctx.forward_topic is not None:
        await forward_batches(stream, decode, ctx, source)
    else:
        await screen_batches(stream, decode, ctx, source)


def _batches(stream: faust.StreamT[Any]) -> tuple[faust.Stream[Any], Any]:
    faust_stream = cast("faust.Stream[Any]", stream)
    return faust_stream, faust_stream.noack_take(BATCH_SIZE, within=BATCH_WAIT_SECONDS)


def _log_failures(report: BatchReport) -> None:
    if report.failures:  # decoder or screener bugs: dead-lettered, and worth a line
        log.warning("%d records of a batch failed in the decoder or the screener and were "
                    "dead-lettered, e.g. %s", report.dead_letters["decode_error"]
                    + report.dead_letters["screening_error"], "; ".join(report.failures))


async def screen_batches(
    stream: faust.StreamT[Any], decode: PaymentDecoder, ctx: WorkerContext, source: str = "json"
) -> None:
    """The batch loop of screen_stream, without producer start-up (tests drive it in process).

    `noack_take` leaves acking to us: a batch's events are acked only once every message it
    produced is acknowledged by the broker. If publishing never succeeds (the worker is
    stopped or killed first), the events stay unacked and their offsets uncommitted, so the
    batch is screened again after a restart. (`take_events` would ack them on the way out.)
    """
    max_bytes = ctx.settings.max_message_bytes
    faust_stream, batches = _batches(stream)
    async for events in batches:
        fresh, seen = ctx.repeats.fresh(events)
        records = records_from_events(fresh)
        # the screener is read once per batch: a reload swaps it between batches only
        report = await process_records(
            records, decode, ctx.state.screener, ctx.publisher, ctx.outputs,
            max_bytes=max_bytes, scope=ctx.windows,
        )
        ctx.repeats.mark(seen)
        for event in events:
            await faust_stream.ack(event)
        metrics.observe_report(source, report, stage_seconds=report.stage_seconds)
        _log_failures(report)


async def forward_batches(
    stream: faust.StreamT[Any], decode: PaymentDecoder, ctx: WorkerContext, source: str = "json"
) -> None:
    """Stage 1 of the repartition path: screen, publish final outcomes, forward candidates.

    Window candidates (payments that reach a windowed condition) go to the repartition topic
    keyed by debtor; every other payment gets its result (and alert) here, in one hop.
    Without a router every valid payment is forwarded.
    """
    topic = ctx.forward_topic
    if topic is None:
        raise RuntimeError("forward_batches needs window_partitioning='repartition'")
    max_bytes = ctx.settings.max_message_bytes
    faust_stream, batches = _batches(stream)
    async for events in batches:
        started = time.perf_counter()
        fresh, seen = ctx.repeats.fresh(events)
        records = records_from_events(fresh, started)
        if ctx.router is not None:
            # the screener is read once per batch: a reload swaps it between batches only
            messages, report = screen_or_forward_records(
                records, decode, ctx.state.screener, ctx.router, ctx.outputs, topic,
                max_bytes=max_bytes)
        else:
            messages, report = forward_records(records, decode, ctx.outputs, topic,
                                               max_bytes=max_bytes)
        screened = time.perf_counter()
        await publish_all(messages, ctx.publisher)
        ctx.repeats.mark(seen)
        for event in events:
            await faust_stream.ack(event)
        stages = {"screen": screened - started, "publish": time.perf_counter() - screened}
        metrics.observe_report(source, report, stage_seconds=stages)
        _log_failures(report)


async def screen_forwarded(stream: faust.StreamT[Any], ctx: WorkerContext) -> None:
    """Stage 2 of the repartition path: screen payments keyed by debtor, publish, then ack."""
    await ctx.app.maybe_start_producer()
    await declare_topics(ctx.topics)
    # canonical JSON of a payment that passed the size limit in stage 1: allow for re-encoding
    decode = json_decoder(2 * ctx.settings.max_message_bytes)
    faust_stream, batches = _batches(stream)
    async for events in batches:
        fresh, seen = ctx.repeats.fresh(events)
        report = await process_records(
            forwarded_records(fresh), decode, ctx.state.screener, ctx.publisher, ctx.outputs,
            max_bytes=2 * ctx.settings.max_message_bytes, scope=ctx.windows,
        )
        ctx.repeats.mark(seen)
        for event in events:
            await faust_stream.ack(event)
        report.records = 0  # consumed payments are counted once, by stage 1 and its source
        metrics.observe_report("json", report, stage_seconds=report.stage_seconds)
        _log_failures(report)


def make_context(settings: Settings) -> WorkerContext:
    """The app, its topics, window table, screening state and publisher for one worker."""
    app = build_app(settings)
    topics = make_topics(app, settings)
    table = make_window_table(app, settings.topic_partitions, settings.window_partitioning)
    windows = TableWindowStore(table, settings.topic_partitions)
    # the engine holds the router: stage 1 probes through it, stage 2 and local mode reach
    # the table; a screener rebuilt on a list reload gets the same router (ScreeningState)
    router = WindowRouter(windows)
    state = load_screening_state(settings, router)
    freeze_loaded_state()
    readiness = register_ops_views(app, {
        settings.payments_topic: "json", settings.pacs008_topic: "pacs008",
        settings.mt103_topic: "mt103",
    })
    readiness.rules_loaded = readiness.lists_loaded = True
    outputs = Outputs(
        alerts=settings.alerts_topic, results=settings.results_topic, dlq=settings.dlq_topic
    )
    return WorkerContext(
        app=app, settings=settings, topics=topics, state=state,
        publisher=ProducerPublisher(app), outputs=outputs, windows=windows, readiness=readiness,
        router=router,
    )


def register_agents(ctx: WorkerContext) -> None:
    """The payments agent and the reload timer."""
    decode = json_decoder(ctx.settings.max_message_bytes)

    @ctx.app.agent(ctx.topics.payments, name="screen-payments")
    async def screen_payments(stream: faust.StreamT[Any]) -> None:
        await screen_stream(stream, decode, ctx, "json")

    if ctx.topics.by_debtor is not None:

        @ctx.app.agent(ctx.topics.by_debtor, name="screen-by-debtor")
        async def screen_by_debtor(stream: faust.StreamT[Any]) -> None:
            await screen_forwarded(stream, ctx)

    async def reload_files() -> None:
        report = await ctx.state.reload()
        if "reloaded" in (report.rules, report.lists):
            freeze_loaded_state()  # only after a swap: a full collection pauses ~150 ms

    ctx.app.timer(ctx.settings.reload_interval_seconds, name="reload-rules-and-lists")(
        reload_files)


def register_format_agents(ctx: WorkerContext) -> bool:
    """Let format_agents.py add its agents when that module exists; True when it did."""
    try:
        module = importlib.import_module(FORMAT_AGENTS_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != FORMAT_AGENTS_MODULE:
            raise
        return False
    module.register(ctx)
    return True


def build_worker(settings: Settings) -> WorkerContext:
    """A ready-to-run worker: app, agents, window table, reload timer and ops endpoints."""
    ctx = make_context(settings)
    register_agents(ctx)

    async def announce() -> None:
        conf = ctx.app.conf
        log.info("worker %s screening %s (windows: %s) with rules %s and lists %s; "
                 "/metrics on http://%s:%d", conf.id, settings.payments_topic,
                 settings.window_partitioning, ctx.state.ruleset_version,
                 ctx.state.screener.lists_version, conf.web_host, conf.web_port)

    ctx.app.task(announce)
    register_format_agents(ctx)
    install_broker_watch(ctx.app, settings.broker, settings.broker_unavailable_exit_seconds)
    return ctx
