"""Deadlines over many calls: one phase of a command, and the command's network time.

A command runs each worker thread of a phase (the listing of every place, say)
inside `phase_deadline`; the transport then starts no attempt after the
deadline, sleeps no backoff past it, and its watchdog cuts an attempt in flight
when it comes. Real time, like the watchdog's: the limit is the user's wait.

`network_budget` bounds the whole command the same way (`timeouts.network`,
120 s by default, issue 22): the wall time during which requests are in flight.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_phase = threading.local()


@contextmanager
def phase_deadline(end: float | None) -> Iterator[None]:
    """Runs the block on this thread under the phase deadline `end` (`time.monotonic`)."""
    previous: float | None = getattr(_phase, "end", None)
    _phase.end = end
    try:
        yield
    finally:
        _phase.end = previous


def thread_phase_remaining() -> float | None:
    """Seconds left in this thread's phase alone (negative once passed); None outside one."""
    end: float | None = getattr(_phase, "end", None)
    return None if end is None else end - time.monotonic()


def phase_remaining() -> float | None:
    """Seconds left for this thread's calls (negative once passed): the earlier of its
    phase's deadline and the command's network time; None when neither is set."""
    left = [x for x in (thread_phase_remaining(), network_left()) if x is not None]
    return min(left) if left else None


class NetworkBudget:
    """The network time one command may spend: the wall time during which at least
    one request is in flight, whatever the number of threads.

    Time between requests (a prompt waiting for the user, a backoff sleep, a
    wait's poll interval) does not count; eight parallel requests of one second
    count one second, not eight.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._spent = 0.0
        self._active = 0
        self._since = 0.0

    def remaining(self) -> float:
        """Seconds of network time left (negative once spent)."""
        with self._lock:
            running = self._clock() - self._since if self._active else 0.0
            return self.seconds - self._spent - running

    @contextmanager
    def request(self) -> Iterator[None]:
        """Counts the block as network time."""
        with self._lock:
            if self._active == 0:
                self._since = self._clock()
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    self._spent += self._clock() - self._since


# Process-wide, unlike the phase: every thread of the command spends from it.
_budget: NetworkBudget | None = None


@contextmanager
def network_budget(budget: NetworkBudget | None) -> Iterator[None]:
    """Runs the block, on every thread, under `budget` (None: no budget, e.g. a wait)."""
    global _budget
    previous, _budget = _budget, budget
    try:
        yield
    finally:
        _budget = previous


def network_left() -> float | None:
    """Seconds of the command's network time left; None without a budget."""
    budget = _budget
    return None if budget is None else budget.remaining()


@contextmanager
def in_flight() -> Iterator[None]:
    """Counts the block (one request attempt) against the command's network time."""
    budget = _budget
    if budget is None:
        yield
    else:
        with budget.request():
            yield


def what_passed() -> str:
    """Which bound stopped the calls, for an error message."""
    left = network_left()
    if left is not None and left <= 0:
        return "the command used up its network time (timeouts.network in tuneops.yaml)"
    return "the command phase passed its deadline"
