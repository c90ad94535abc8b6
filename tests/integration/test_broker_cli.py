"""`streams broker` runs the embedded broker in the foreground and stops it on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from streams.broker import free_port, wait_for_port
from streams.errors import BrokerError

pytestmark = [pytest.mark.integration]

CLI_CODE = "import sys; from streams.cli.main import cli; sys.exit(cli())"


def test_broker_serves_until_interrupted() -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", CLI_CODE, "broker", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port("127.0.0.1", port, timeout=30)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, out
    assert f"kafka://127.0.0.1:{port}" in out
    assert "broker stopped" in out
    with pytest.raises(BrokerError):
        wait_for_port("127.0.0.1", port, timeout=1)  # nothing listens any more
