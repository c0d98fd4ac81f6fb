"""The reconcile watch loop: backoff on failure, back to the interval after a good
cycle, and the cycle count; driven without sleeping or a remote service."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from tuneops.errors import TuneopsError
from tuneops.runtime.reconciling import MAX_BACKOFF_SECONDS, watch_loop


class Recorded(threading.Event):
    """A stop event that records each delay instead of sleeping, and stops after `cycles`."""

    def __init__(self, cycles: int) -> None:
        super().__init__()
        self.delays: list[float] = []
        self.cycles = cycles

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.delays.append(timeout)
        if len(self.delays) >= self.cycles:
            self.set()
        return self.is_set()


class NoJitter(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return 1.0


def _cycles(script: str) -> Callable[[int], None]:
    """`run_cycle` that fails where `script` has an `x` and succeeds where it has a `.`."""

    def run(number: int) -> None:
        if script[number - 1] == "x":
            raise TuneopsError(f"cycle {number} could not list the jobs")

    return run


def test_failures_double_the_delay_and_a_good_cycle_returns_to_the_interval() -> None:
    stop = Recorded(cycles=5)
    failures: list[tuple[int, str, float]] = []
    count = watch_loop(
        _cycles("xx.x."),
        60.0,
        on_failure=lambda n, error, delay: failures.append((n, str(error), delay)),
        stop=stop,
        rng=NoJitter(),
    )
    assert count == 5
    assert stop.delays == [120.0, 240.0, 60.0, 120.0, 60.0]
    assert failures == [
        (1, "cycle 1 could not list the jobs", 120.0),
        (2, "cycle 2 could not list the jobs", 240.0),
        (4, "cycle 4 could not list the jobs", 120.0),
    ]


def test_the_backoff_stops_at_its_ceiling_unless_the_interval_is_longer() -> None:
    short, long = Recorded(cycles=8), Recorded(cycles=2)
    watch_loop(_cycles("x" * 8), 60.0, on_failure=lambda *_: None, stop=short, rng=NoJitter())
    watch_loop(_cycles("xx"), 3600.0, on_failure=lambda *_: None, stop=long, rng=NoJitter())
    assert max(short.delays) == MAX_BACKOFF_SECONDS
    assert long.delays == [3600.0, 3600.0]


def test_a_stop_set_before_the_first_cycle_runs_none() -> None:
    stop = threading.Event()
    stop.set()
    assert watch_loop(_cycles(""), 60.0, on_failure=lambda *_: None, stop=stop) == 0
