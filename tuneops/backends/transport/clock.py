"""Time as the backends see it, injectable so that retry and pacing tests are instant."""

from __future__ import annotations

import threading
import time
from typing import Protocol

# Set while the run is being interrupted: every sleep of the real clock (pacing,
# backoff) ends at once, so that workers stop within a moment of Ctrl-C or SIGTERM
# instead of after a minute-long Retry-After.
_STOPPING = threading.Event()


class SleepInterruptedError(KeyboardInterrupt):
    """A sleep was cut short because the run is stopping; nothing more is sent."""


def stop_sleeping() -> None:
    """Wakes every current and future sleep of `SystemClock` with `SleepInterruptedError`."""
    _STOPPING.set()


def resume_sleeping() -> None:
    """Lets `SystemClock` sleep again (after an interrupted run, in the same process)."""
    _STOPPING.clear()


class Clock(Protocol):
    """Wall time, monotonic time and sleeping, as one replaceable object."""

    def time(self) -> float:
        """Seconds since the epoch (UTC), for comparing with token expiry times."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for deadlines and pacing."""
        ...

    def sleep(self, seconds: float) -> None:
        """Waits `seconds`; tests replace it with a clock that only advances."""
        ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        """Seconds since the epoch."""
        return time.time()

    def monotonic(self) -> float:
        """`time.monotonic()`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Waits `seconds` (non-positive: not at all), unless the run is stopping."""
        if _STOPPING.is_set() or (seconds > 0 and _STOPPING.wait(seconds)):
            raise SleepInterruptedError

    def __repr__(self) -> str:
        return "SystemClock()"
