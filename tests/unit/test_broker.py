"""The embedded broker refuses a port another process already listens on."""

from __future__ import annotations

import socket

import pytest

from streams.broker import EmbeddedBroker, port_is_free
from streams.errors import BrokerError


def test_a_busy_port_is_refused_rather_than_mistaken_for_our_broker() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert not port_is_free("127.0.0.1", port)
        broker = EmbeddedBroker(host="127.0.0.1", port=port)
        with pytest.raises(BrokerError, match="already in use"):
            broker.start()
        assert broker.pid is None


def test_a_started_broker_is_stopped_by_its_pid() -> None:
    broker = EmbeddedBroker(host="127.0.0.1").start()
    try:
        assert broker.pid is not None and not port_is_free("127.0.0.1", broker.port)
    finally:
        broker.stop()
    assert broker.pid is None and port_is_free("127.0.0.1", broker.port)
