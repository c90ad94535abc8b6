"""The broker watch: clear logs, growing pauses, and an exit after a long outage."""

from __future__ import annotations

import asyncio
import logging

import pytest

from streams.broker import free_port
from streams.worker.broker_watch import (
    EXIT_BROKER_UNAVAILABLE,
    BrokerWatch,
    RepeatedLogFilter,
    bootstrap_addresses,
)


def test_bootstrap_addresses_of_faust_urls() -> None:
    assert bootstrap_addresses("kafka://127.0.0.1:9093") == [("127.0.0.1", 9093)]
    assert bootstrap_addresses("kafka://a:1;kafka://b:2") == [("a", 1), ("b", 2)]
    assert bootstrap_addresses("a:1,b") == [("a", 1), ("b", 9092)]


def _record(msg: str, level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord("aiokafka", level, __file__, 1, msg, (), None)


def test_repeated_errors_pass_once_per_interval_with_the_held_back_count() -> None:
    now = [0.0]
    repeated = RepeatedLogFilter(interval=10.0, clock=lambda: now[0])
    assert repeated.filter(_record("Unable connect to node %s"))
    passed = [repeated.filter(_record("Unable connect to node %s")) for _ in range(50)]
    assert not any(passed)
    assert repeated.filter(_record("another message"))
    assert repeated.filter(_record("debug chatter", logging.INFO))
    now[0] = 10.5
    record = _record("Unable connect to node %s")
    assert repeated.filter(record)
    assert "[50 like it" in str(record.msg)


async def test_watch_logs_the_outage_backs_off_and_gives_up(
        caplog: pytest.LogCaptureFixture) -> None:
    codes: list[int] = []
    watch = BrokerWatch([("127.0.0.1", free_port())], give_up_seconds=0.6,
                        give_up=codes.append, min_pause=0.05, max_pause=0.4)
    caplog.set_level(logging.WARNING, "streams.worker.broker_watch")
    pauses = []
    while not codes:
        pause = await watch.check()
        pauses.append(pause)
        await asyncio.sleep(pause)
    assert codes == [EXIT_BROKER_UNAVAILABLE]
    assert pauses[1] > pauses[0]  # backoff grows
    assert all(p <= 0.4 for p in pauses)
    messages = [r.getMessage() for r in caplog.records]
    assert "unreachable; retrying with backoff" in messages[0]
    assert "exiting with code 69" in messages[-1]


@pytest.mark.parametrize("exit_on_return", [True, False])
async def test_watch_on_the_brokers_return_exits_or_resumes(exit_on_return: bool) -> None:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    codes: list[int] = []
    watch = BrokerWatch([("127.0.0.1", port)], give_up_seconds=5.0, give_up=codes.append,
                        exit_on_return=exit_on_return)
    try:
        assert await watch.check() == watch.healthy_pause
        assert watch.down_since is None
        server.close()
        await server.wait_closed()
        await watch.check()
        assert watch.down_since is not None and watch.outages == 1
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", port)
        await watch.check()
        assert watch.down_since is None
        assert codes == ([EXIT_BROKER_UNAVAILABLE] if exit_on_return else [])
    finally:
        server.close()
