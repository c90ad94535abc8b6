"""Fixtures of the format tests: the message files in tests/fixtures/formats."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"
MAX_BYTES = 1_000_000


@pytest.fixture(scope="session")
def fixture_bytes() -> FixtureReader:
    """Reads a fixture file by its name under tests/fixtures/formats."""
    return FixtureReader()


class FixtureReader:
    """Callable returning the bytes of a format fixture."""

    def __call__(self, name: str) -> bytes:
        return (FIXTURES / name).read_bytes()
