"""The pacs.008 and MT103 agents: one per topic, each converting then sharing the screening path.

`build_worker` (agents.py) calls `register(ctx)`. Each agent reads raw records from its own
topic (`Settings.pacs008_topic`, `Settings.mt103_topic`), turns each into canonical payments
with the pure decoder of `streams.formats`, and hands them to `screen_stream`, the batch path
the JSON agent uses: the same screener, alerts, results and dead letters. A message that
cannot be converted becomes a dead letter whose reason names the element or field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import faust

from streams.formats import decode_mt103, decode_pacs008
from streams.models import Payment
from streams.worker.agents import WorkerContext, screen_stream
from streams.worker.processing import PaymentDecoder

__all__ = ["FORMAT_AGENTS", "FormatAgent", "register"]


@dataclass(frozen=True)
class FormatAgent:
    """One wire format's agent: its name, metrics source label, topic setting and decoder."""

    name: str
    source: str
    topic_setting: str
    decode: Callable[..., list[Payment]]

    def decoder(self, max_bytes: int) -> PaymentDecoder:
        """The bytes -> payments callable processing.py expects, bound to the size limit."""

        def decode(raw: bytes) -> list[Payment]:
            return self.decode(raw, max_bytes=max_bytes)

        return decode


FORMAT_AGENTS = (
    FormatAgent("screen-pacs008", "pacs008", "pacs008_topic", decode_pacs008),
    FormatAgent("screen-mt103", "mt103", "mt103_topic", decode_mt103),
)


def _raw_topic(ctx: WorkerContext, name: str) -> faust.TopicT:
    return ctx.app.topic(
        name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw",
        partitions=ctx.settings.topic_partitions,
        internal=True,  # lets Faust create it with the configured partitions
    )


def _register_one(ctx: WorkerContext, spec: FormatAgent) -> None:
    topic = _raw_topic(ctx, getattr(ctx.settings, spec.topic_setting))
    decode = spec.decoder(ctx.settings.max_message_bytes)

    async def screen_format(stream: faust.StreamT[bytes]) -> None:
        await screen_stream(stream, decode, ctx, spec.source)

    screen_format.__name__ = screen_format.__qualname__ = spec.name.replace("-", "_")
    ctx.app.agent(topic, name=spec.name)(screen_format)


def register(ctx: WorkerContext) -> None:
    """Add the pacs.008 and MT103 agents to the worker's app (once; a second call is a no-op)."""
    registered = {agent.name for agent in ctx.app.agents.values()}
    for spec in FORMAT_AGENTS:
        if spec.name not in registered:
            _register_one(ctx, spec)
