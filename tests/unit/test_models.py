"""The message models: what the contract says about their JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from streams.models import ScreeningResult


def result_at(when: datetime) -> ScreeningResult:
    return ScreeningResult(payment_id="p-1", decision="clear", ruleset_version="r",
                           lists_version={"ofac_sdn": "v"}, screened_at=when, latency_ms=0.5)


@pytest.mark.parametrize(("when", "written"), [
    (datetime(2026, 11, 30, 7, 1, 37, 616123, tzinfo=timezone.utc), "2026-11-30T07:01:37.616123Z"),
    (datetime(2026, 1, 1, tzinfo=timezone.utc), "2026-01-01T00:00:00Z"),
    # another offset is converted to UTC first
    (datetime(2026, 1, 1, 9, 30, tzinfo=timezone(timedelta(hours=9))), "2026-01-01T00:30:00Z"),
])
def test_timestamps_are_written_in_utc_with_a_z(when: datetime, written: str) -> None:
    assert json.loads(result_at(when).model_dump_json())["screened_at"] == written


def test_a_timestamp_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        result_at(datetime(2026, 1, 1))
