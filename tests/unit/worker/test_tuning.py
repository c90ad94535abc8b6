"""Process tuning: full garbage collections run from a timer, not when the collector decides."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from streams.worker.tuning import NO_AUTOMATIC_FULL_COLLECTIONS, schedule_full_collections

Job = Callable[[], Coroutine[Any, Any, None]]


class RecordingApp:
    """Records what schedule_full_collections registers on a Faust app."""

    def __init__(self) -> None:
        self.tasks: list[Job] = []
        self.timers: list[tuple[float, str, Job]] = []

    def task(self, fun: Job) -> Job:
        self.tasks.append(fun)
        return fun

    def timer(self, interval: float, name: str) -> Callable[[Job], Job]:
        def register(fun: Job) -> Job:
            self.timers.append((interval, name, fun))
            return fun
        return register


@pytest.fixture
def restore_gc_threshold() -> Any:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("restore_gc_threshold")
def test_full_collections_move_from_the_collector_to_a_timer() -> None:
    app = RecordingApp()
    before = gc.get_threshold()
    schedule_full_collections(app, every_seconds=30.0)  # type: ignore[arg-type]
    assert gc.get_threshold() == before  # nothing changes until the app starts
    [start] = app.tasks
    [(interval, name, collect)] = app.timers
    assert interval == 30.0 and name == "full-garbage-collection"

    asyncio.run(start())
    assert gc.get_threshold() == (before[0], before[1], NO_AUTOMATIC_FULL_COLLECTIONS)

    generations: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        asyncio.run(collect())
    finally:
        gc.callbacks.remove(seen)
    assert 2 in generations
