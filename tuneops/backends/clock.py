"""Time as the backends see it, injectable so that retry and pacing tests are instant."""

from __future__ import annotations

import time
from typing import Protocol


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
        """`time.sleep()`, ignoring non-positive waits."""
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"
