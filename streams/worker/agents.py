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

Every loop runs through `run_batches`: while the broker acknowledges the outputs of up to
four batches (streams/worker/inflight.py), the next batch is screened; events are acked in
batch order once their batch's outputs are acknowledged.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import faust
from aiokafka.partitioner import DefaultPartitioner

from streams import build_info, metrics
from streams.settings import Settings
from streams.web import Readiness, register_ops_views
from streams.worker.app import Topics, build_app, declare_topics, make_topics
from streams.worker.broker_watch import install_broker_watch
from streams.worker.candidates import WindowRouter, screen_or_forward_records
from streams.worker.inflight import InFlightBatches, RepeatFilter
from streams.worker.partitioning import keyed_partition
from streams.worker.processing import (
    BatchReport,
    Headers,
    Outgoing,
    Outputs,
    PaymentDecoder,
    Publisher,
    QueuedBatch,
    json_decoder,
    queue_outgoing,
    queue_records,
    records_from_events,
)
from streams.worker.repartition import forward_records, forwarded_records
from streams.worker.state import ScreeningState, load_screening_state
from streams.worker.tuning import freeze_loaded_state
from streams.worker.windows import TableWindowStore, make_window_table

__all__ = [
    "BATCH_SIZE",
    "BATCH_WAIT_SECONDS",
    "FORWARDED_BATCH_WAIT_SECONDS",
    "WorkerContext",
    "build_worker",
    "forward_batches",
    "run_batches",
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
#: The same for stage 2 of the repartition path (screen-by-debtor). It carries only the
#: window candidates (about 1 % of the payments in the benchmark), in batches of 1-7, so a
#: shorter wait costs few extra batches; those payments already took a broker round trip
#: more, and at ~1 % of the payments they sit right at the p99 of the produce-to-result
#: latency (their `latency_ms` runs from stage 1's receipt; its p99 over all payments:
#: 22-32 ms with 3 ms against 31-38 ms with 10 ms, docs/worker.md). Faust's take wakes an
#: idle agent every `within`, so much shorter waits would cost CPU (not measured).
FORWARDED_BATCH_WAIT_SECONDS = 0.003
#: The optional module that registers the pacs.008 and MT103 agents.
FORMAT_AGENTS_MODULE = "streams.worker.format_agents"


class ProducerPublisher:
    """Sends raw bytes through the app's producer; returns the broker-ack futures unawaited."""

    def __init__(self, app: faust.App) -> None:
        self.app = app

    async def send(self, topic: str, key: bytes | None, value: bytes,
                   headers: Headers | None = None) -> Awaitable[Any]:
        """Queue one message in the producer's batch and return its delivery future."""
        return await self.app.producer.send(
            topic, key, value, partition=None, timestamp=None,
            headers=list(headers) if headers else None,
        )

    async def send_many(self, messages: Sequence[Outgoing]) -> list[Awaitable[Any]]:
        """Queue messages in record batches of their own, one per partition; a future each.

        Partitioned as `send` partitions them (by key, Kafka's default partitioner; hashed
        here, streams/worker/partitioning.py) and in order within a partition. A message's
        future is its batch's: it completes when the broker has acknowledged the batch.
        About a third of the CPU of one `send` per message.
        """
        producer = self.app.producer._ensure_producer()  # type: ignore[attr-defined]
        futures: list[Awaitable[Any] | None] = [None] * len(messages)  # filled as sent
        batches: dict[tuple[str, int], tuple[Any, list[int]]] = {}
        partitions: dict[str, list[int]] = {}
        default = isinstance(producer._partitioner, DefaultPartitioner)
        for i, (topic, key, value, headers) in enumerate(messages):
            known = partitions.get(topic)
            if known is None:
                await producer.client._wait_on_metadata(topic)  # as send() does
                known = partitions[topic] = sorted(producer._metadata.partitions_for_topic(topic))
            if key is not None and default:
                where = (topic, keyed_partition(key, known))
            else:
                where = (topic, producer._partition(topic, None, None, None, key, value))
            open_batch = batches.get(where)
            if open_batch is None:
                open_batch = batches[where] = (producer.create_batch(), [])
            batch, members = open_batch
            listed = list(headers) if headers else []
            if batch.append(key=key, value=value, timestamp=None, headers=listed) is None:
                # full: send it, start the next one
                await self._submit(producer, where, batch, members, futures)
                batch, members = batches[where] = (producer.create_batch(), [])
                if batch.append(key=key, value=value, timestamp=None, headers=listed) is None:
                    raise ValueError(f"a {len(value)}-byte message does not fit a batch")
            members.append(i)
        for where, (batch, members) in batches.items():
            await self._submit(producer, where, batch, members, futures)
        return cast("list[Awaitable[Any]]", futures)

    @staticmethod
    async def _submit(producer: Any, where: tuple[str, int], batch: Any, members: list[int],
                      futures: list[Awaitable[Any] | None]) -> None:
        delivered = await producer.send_batch(batch, where[0], partition=where[1])
        for i in members:
            futures[i] = delivered


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


def _log_failures(report: BatchReport) -> None:
    if report.failures:  # decoder or screener bugs: dead-lettered, and worth a line
        log.warning("%d records of a batch failed in the decoder or the screener and were "
                    "dead-lettered, e.g. %s", report.dead_letters["decode_error"]
                    + report.dead_letters["screening_error"], "; ".join(report.failures))


def _observer(source: str, batch: QueuedBatch) -> Callable[[], None]:
    """Counts a batch once it is acked; its `publish` stage runs from queueing to the ack."""

    def observe() -> None:
        report = batch.report
        report.stage_seconds["publish"] = time.perf_counter() - batch.queued
        metrics.observe_report(source, report, stage_seconds=report.stage_seconds)

    return observe


#: Screens the fresh events of one batch and queues every message it produces.
BatchQueuer = Callable[[list[Any]], Awaitable[QueuedBatch]]


async def run_batches(stream: faust.StreamT[Any], ctx: WorkerContext, source: str,
                      queue_batch: BatchQueuer, *, wait: float = BATCH_WAIT_SECONDS) -> None:
    """Take batches, screen and queue each, and ack them in order as the broker confirms them.

    `noack_take` leaves acking to us: a batch's events are acked only once every message it
    produced (and every earlier batch's) is acknowledged by the broker (InFlightBatches),
    while the next batches are screened. On a stop the batches in flight get a few seconds
    to be acknowledged and acked; whatever is still unacked then (the worker is killed, or
    publishing never succeeds) keeps its offsets uncommitted and is screened again after a
    restart. (`take_events` would ack them on the way out.) Metrics are counted when a batch
    is acked; decoder and screener failures are logged when it is screened. `wait`: how long
    a batch waits to fill.
    """
    faust_stream = cast("faust.Stream[Any]", stream)
    batches = faust_stream.noack_take(BATCH_SIZE, within=wait)
    in_flight = InFlightBatches(faust_stream.ack, ctx.repeats)
    try:
        async for events in batches:
            await in_flight.wait_for_room()
            fresh, offsets = ctx.repeats.fresh(events)
            batch = await queue_batch(fresh)
            in_flight.add(batch.confirm, events, offsets, _observer(source, batch))
            _log_failures(batch.report)
    except BaseException:  # cancelled (the worker stops) or a bug: a second cancel gives up
        await in_flight.close()
        raise
    # the stream ended: Faust stops an agent by ending its stream, then cancels its task
    await in_flight.close(absorb_cancel=True)


async def screen_batches(
    stream: faust.StreamT[Any], decode: PaymentDecoder, ctx: WorkerContext, source: str = "json"
) -> None:
    """One hop (local mode): screen, publish, ack; without producer start-up (tests drive it)."""
    max_bytes = ctx.settings.max_message_bytes

    async def queue_batch(events: list[Any]) -> QueuedBatch:
        # the screener is read once per batch: a reload swaps it between batches only
        return await queue_records(
            records_from_events(events), decode, ctx.state.screener, ctx.publisher,
            ctx.outputs, max_bytes=max_bytes, scope=ctx.windows,
        )

    await run_batches(stream, ctx, source, queue_batch)


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

    async def queue_batch(events: list[Any]) -> QueuedBatch:
        started = time.perf_counter()
        records = records_from_events(events, started)
        if ctx.router is not None:
            # the screener is read once per batch: a reload swaps it between batches only
            messages, report = screen_or_forward_records(
                records, decode, ctx.state.screener, ctx.router, ctx.outputs, topic,
                max_bytes=max_bytes)
        else:
            messages, report = forward_records(records, decode, ctx.outputs, topic,
                                               max_bytes=max_bytes)
        report.stage_seconds = {"screen": time.perf_counter() - started}
        return await queue_outgoing(messages, report, ctx.publisher)

    await run_batches(stream, ctx, source, queue_batch)


async def screen_forwarded(stream: faust.StreamT[Any], ctx: WorkerContext) -> None:
    """Stage 2 of the repartition path: screen payments keyed by debtor, publish, then ack."""
    await ctx.app.maybe_start_producer()
    await declare_topics(ctx.topics)
    # canonical JSON of a payment that passed the size limit in stage 1: allow for re-encoding
    max_bytes = 2 * ctx.settings.max_message_bytes
    decode = json_decoder(max_bytes)

    async def queue_batch(events: list[Any]) -> QueuedBatch:
        batch = await queue_records(
            forwarded_records(events), decode, ctx.state.screener, ctx.publisher, ctx.outputs,
            max_bytes=max_bytes, scope=ctx.windows,
        )
        batch.report.records = 0  # consumed payments are counted once, by stage 1's source
        return batch

    await run_batches(stream, ctx, "json", queue_batch, wait=FORWARDED_BATCH_WAIT_SECONDS)


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
                 "/metrics on http://%s:%d; %s build", conf.id, settings.payments_topic,
                 settings.window_partitioning, ctx.state.ruleset_version,
                 ctx.state.screener.lists_version, conf.web_host, conf.web_port,
                 build_info.describe())

    ctx.app.task(announce)
    register_format_agents(ctx)
    install_broker_watch(ctx.app, settings.broker, settings.broker_unavailable_exit_seconds)
    return ctx
