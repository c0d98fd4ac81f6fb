"""Driving `reconcile --watch` in a test: a stop event that scripts the pauses, a clock."""

from __future__ import annotations

import threading
from collections.abc import Callable


class ScriptedStop(threading.Event):
    """The watch loop's stop event: records each delay instead of sleeping, and runs
    `between[i]` before cycle i + 2; stops after the last scripted step."""

    def __init__(self, between: list[Callable[[], object] | None]) -> None:
        super().__init__()
        self.delays: list[float] = []
        self.between = between

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.delays.append(timeout)
        step = len(self.delays) - 1
        if step < len(self.between):
            action = self.between[step]
            if action is not None:
                action()
        else:
            self.set()
        return self.is_set()


class LoopClock:
    """A clock the test moves: `time` and `monotonic` advance only with `advance`."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds
