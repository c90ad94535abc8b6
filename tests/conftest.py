"""Shared fixtures: the embedded broker, the shared list files, unique names per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from file_server import FileServer

from streams.broker import EmbeddedBroker

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_DIR.parent / "shared"
SHARED_LISTS_DIR = SHARED_DIR / "data" / "lists"
SHARED_EVAL_FILE = SHARED_DIR / "data" / "eval" / "names-dev.jsonl"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """One embedded Tansu broker on a free 127.0.0.1 port for the test session."""
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    embedded = EmbeddedBroker(host="127.0.0.1", log_path=log).start()
    try:
        yield embedded
    finally:
        embedded.stop()


@pytest.fixture
def unique_name() -> str:
    """A short unique suffix for topic and group names of one test."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def shared_lists_dir() -> Path:
    """The real sanctions lists in ../shared/data/lists (skips with the reason when absent)."""
    if not (SHARED_LISTS_DIR / "sdn.csv").is_file():
        pytest.skip(f"real sanctions lists not found at {SHARED_LISTS_DIR}")
    return SHARED_LISTS_DIR


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    """A 127.0.0.1 HTTP server for the test; set `routes[path] = bytes` to serve a file."""
    server = FileServer().start()
    try:
        yield server
    finally:
        server.stop()
