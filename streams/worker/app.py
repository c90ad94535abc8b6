"""The one place that builds the Faust app, from Settings, with the topics it reads and writes."""

from __future__ import annotations

from dataclasses import dataclass

import faust

from streams import logs
from streams.broker import free_port
from streams.settings import Settings
from streams.worker.repartition import repartition_topic_name
from streams.worker.tuning import schedule_full_collections, use_short_fetch_wait

__all__ = ["Topics", "build_app", "declare_topics"]

#: Seconds before the broker considers a silent member gone, and a rebalance too slow.
GROUP_TIMEOUT_SECONDS = 10.0
#: Seconds between consumer heartbeats: short, so Tansu group joins settle quickly.
HEARTBEAT_SECONDS = 1.0
#: Bytes of records the producer gathers per partition before one waits for the next
#: request (Faust's default: 16 KiB, about 40 results; a screened batch of 500 gives ~60 per
#: partition of the results topic, so with 16 KiB queueing it stopped on each full batch).
PRODUCER_BATCH_BYTES = 256 * 1024


@dataclass(frozen=True)
class Topics:
    """The Faust topics of one app: payments, the three outputs, and the repartition hop's."""

    payments: faust.TopicT
    alerts: faust.TopicT
    results: faust.TopicT
    dlq: faust.TopicT
    by_debtor: faust.TopicT | None = None  # only with window_partitioning="repartition"

    def outputs(self) -> tuple[faust.TopicT, ...]:
        """The topics the worker publishes to (the repartition topic included)."""
        hop = (self.by_debtor,) if self.by_debtor is not None else ()
        return (self.alerts, self.results, self.dlq, *hop)


def build_app(settings: Settings) -> faust.App:
    """A Faust app configured from `settings`; the caller registers agents on it."""
    # Faust refuses port 0, so "any free port" is resolved here
    web_port = settings.web_port or free_port(settings.web_host)
    app = faust.App(
        settings.app_id,
        broker=settings.broker,
        autodiscover=False,
        store="memory://",
        datadir=str(settings.data_dir),
        key_serializer="raw",
        value_serializer="raw",
        processing_guarantee="at_least_once",
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=1,
        broker_session_timeout=GROUP_TIMEOUT_SECONDS,
        broker_rebalance_timeout=GROUP_TIMEOUT_SECONDS,
        broker_heartbeat_interval=HEARTBEAT_SECONDS,
        consumer_auto_offset_reset="earliest",
        # No standby copies of the window table: a standby compares the offset it read with
        # the changelog's end offset on every rebalance, and Tansu's ListOffsets(LATEST) can
        # be short by part of a batch, so the check crashed a worker of two in a rebalance
        # (ConsistencyError, tests/integration/test_windows_exact.py). An active partition
        # is restored from its changelog on the worker that takes it over.
        table_standby_replicas=0,
        producer_acks=-1,
        producer_max_request_size=max(settings.max_message_bytes * 2, 1_048_576),
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        web_enabled=True,
        web_host=settings.web_host,
        web_bind=settings.web_host,  # Faust binds 0.0.0.0 unless told; web_host is only advertised
        web_port=web_port,
        web_in_thread=False,
        logging_config=logs.logging_config(settings),
    )
    use_short_fetch_wait(app, settings.fetch_max_wait_ms)
    schedule_full_collections(app)
    return app


def make_topics(app: faust.App, settings: Settings) -> Topics:
    """The app's topics with raw (bytes) keys and values: the worker decodes and encodes itself."""

    def raw_topic(name: str) -> faust.TopicT:
        return app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=settings.topic_partitions,
            internal=True,  # lets Faust create it with the configured partitions
        )

    return Topics(
        payments=raw_topic(settings.payments_topic),
        alerts=raw_topic(settings.alerts_topic),
        results=raw_topic(settings.results_topic),
        dlq=raw_topic(settings.dlq_topic),
        by_debtor=(raw_topic(repartition_topic_name(settings.app_id))
                   if settings.window_partitioning == "repartition" else None),
    )


async def declare_topics(topics: Topics) -> None:
    """Create the output topics (when missing) before the first record is published."""
    for topic in topics.outputs():
        await topic.maybe_declare()
