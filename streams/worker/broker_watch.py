"""What a worker does when the broker goes away: retry with backoff, log clearly, or exit.

aiokafka retries a lost broker every 100 ms and logs each failure at ERROR (dozens of lines
a second), and Faust reconnects when the broker comes back. But a broker that comes back
empty (the embedded broker keeps nothing across a restart; a Kafka cluster restored from
nothing) restarts its offsets at 0, and Faust keeps the read offsets it had: it silently
drops every record below them ("DROPPED MESSAGE ROFF", a dev-level log line), so payments
would go unscreened. This module adds what an operator needs on top:

- a watch task that probes the bootstrap servers every 2 s, and with growing pauses (0.5 s
  doubling to 5 s) while they are away; it logs one clear line when the broker is lost,
  one every 10 s while it stays away and one when it is back;
- after `give_up_seconds` without a broker, or as soon as the broker is back after an
  outage (`exit_on_return`), the worker exits with EXIT_BROKER_UNAVAILABLE (69,
  EX_UNAVAILABLE) so a supervisor (systemd, Kubernetes) restarts it with fresh consumer
  state. Nothing is lost: offsets are committed only after a batch's outputs were
  acknowledged, so the restarted worker re-reads what was in flight. With several
  bootstrap servers the watch only counts an outage when none of them answers;
- a filter that lets each repeated aiokafka connection error through once per 10 s, with
  the count of the lines it held back.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import faust

__all__ = [
    "EXIT_BROKER_UNAVAILABLE",
    "BrokerWatch",
    "RepeatedLogFilter",
    "bootstrap_addresses",
    "install_broker_watch",
]

log = logging.getLogger(__name__)

EXIT_BROKER_UNAVAILABLE = 69
#: Loggers whose connection errors repeat every 100 ms while the broker is away.
NOISY_LOGGERS = (
    "aiokafka", "aiokafka.conn", "aiokafka.cluster", "aiokafka.consumer.fetcher",
    "aiokafka.consumer.group_coordinator", "aiokafka.consumer.consumer",
    "aiokafka.producer.sender", "aiokafka.producer.producer",
    "faust.transport.drivers.aiokafka", "faust.transport.consumer",
)


def bootstrap_addresses(broker_url: str) -> list[tuple[str, int]]:
    """(host, port) of every server in a Faust broker URL such as `kafka://a:9092;b:9092`."""
    addresses = []
    for part in broker_url.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        split = urlsplit(part if "://" in part else f"kafka://{part}")
        addresses.append((split.hostname or "localhost", split.port or 9092))
    return addresses


class RepeatedLogFilter(logging.Filter):
    """Lets a repeated message through once per `interval` seconds, counting the rest."""

    def __init__(self, interval: float = 10.0, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        super().__init__()
        self.interval = interval
        self.clock = clock
        self._last: dict[tuple[str, object], float] = {}
        self._held: dict[tuple[str, object], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """True to emit the record (annotated with the held-back count), False to drop it."""
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.msg)
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        self._last[key] = now
        held = self._held.pop(key, 0)
        if held:
            record.msg = f"{record.msg} [{held} like it in the last {self.interval:.0f}s]"
        return True


class BrokerWatch:
    """Probes the brokers with backoff; logs outages; calls `give_up` after too long without."""

    def __init__(
        self,
        addresses: Sequence[tuple[str, int]],
        give_up_seconds: float,
        *,
        give_up: Callable[[int], None] | None = None,
        healthy_pause: float = 2.0,
        min_pause: float = 0.5,
        max_pause: float = 5.0,
        report_every: float = 10.0,
        exit_on_return: bool = True,
    ) -> None:
        self.addresses = list(addresses)
        self.give_up_seconds = give_up_seconds
        self.give_up = give_up or _exit_now
        self.healthy_pause = healthy_pause
        self.min_pause = min_pause
        self.max_pause = max_pause
        self.report_every = report_every
        self.exit_on_return = exit_on_return
        self.down_since: float | None = None
        self.outages = 0
        self._failures = 0
        self._last_report = 0.0

    @property
    def where(self) -> str:
        """The bootstrap servers, for log lines."""
        return ",".join(f"{host}:{port}" for host, port in self.addresses)

    async def reachable(self, timeout: float = 1.0) -> bool:
        """True when any bootstrap server accepts a TCP connection."""
        for host, port in self.addresses:
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
            except (OSError, asyncio.TimeoutError):
                continue
            writer.close()
            return True
        return False

    async def check(self) -> float:
        """Probe once, log what changed, give up if due; the pause before the next probe."""
        if await self.reachable():
            now = time.monotonic()
            self._failures = 0
            if self.down_since is not None:
                down, self.down_since = now - self.down_since, None
                if self.exit_on_return:
                    log.critical("broker %s reachable again after %.0f s; it may have come "
                                 "back without its records and offsets, which this process "
                                 "would silently skip: exiting with code %d so a supervisor "
                                 "restarts the worker from the committed offsets",
                                 self.where, down, EXIT_BROKER_UNAVAILABLE)
                    self.give_up(EXIT_BROKER_UNAVAILABLE)
                else:
                    log.warning("broker %s reachable again after %.0f s; resuming",
                                self.where, down)
            return self.healthy_pause
        now = time.monotonic()
        self._failures += 1
        if self.down_since is None:
            self.down_since = now
            self.outages += 1
            self._last_report = now
            log.error("broker %s unreachable; retrying with backoff, exiting with code %d "
                      "if it stays away %.0f s", self.where, EXIT_BROKER_UNAVAILABLE,
                      self.give_up_seconds)
            return self.min_pause
        down = now - self.down_since
        if down >= self.give_up_seconds:
            log.critical("broker %s unreachable for %.0f s: exiting with code %d so a "
                         "supervisor restarts the worker; uncommitted payments will be "
                         "screened again", self.where, down, EXIT_BROKER_UNAVAILABLE)
            self.give_up(EXIT_BROKER_UNAVAILABLE)
            return self.max_pause
        if now - self._last_report >= self.report_every:
            self._last_report = now
            log.error("broker %s still unreachable after %.0f s (exit at %.0f s)",
                      self.where, down, self.give_up_seconds)
        backoff: float = self.min_pause * 2.0 ** min(self._failures - 1, 10)
        return min(self.max_pause, backoff, max(self.give_up_seconds - down, 0.1))

    async def run(self) -> None:
        """Probe forever."""
        while True:
            await asyncio.sleep(await self.check())


def _exit_now(code: int) -> None:
    """End the process at once: a graceful stop would wait on commits to a dead broker."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def install_broker_watch(app: faust.App, broker_url: str, give_up_seconds: float) -> BrokerWatch:
    """Start the watch with the app and quieten the repeated aiokafka connection errors."""
    watch = BrokerWatch(bootstrap_addresses(broker_url), give_up_seconds)
    repeated = RepeatedLogFilter()
    for name in NOISY_LOGGERS:
        logging.getLogger(name).addFilter(repeated)

    async def watch_broker() -> None:
        await watch.run()

    app.task(watch_broker)

    return watch
