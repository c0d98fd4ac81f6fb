"""Client-side pacing: a token bucket per quota that slows down further on 429.

Each service sets its own limits (Vertex AI allows about 600
resource-management requests and 60 job submissions per minute per project and
region: `vertex.client.VERTEX_REQUESTS`). A bucket of capacity `burst` refilled at
`per_minute / 60` tokens a second lets at most `per_minute + burst` calls
through in any 60 s window, so the defaults keep `per_minute + burst` at the
quota. Callers reserve a slot and sleep outside the lock, so threads are served
in arrival order without busy waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from tuneops.backends.transport.clock import Clock


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A quota: sustained calls per minute, a burst allowance, and how 429s slow it.

    After a 429 the rate is halved (never below `min_per_minute`; the 429s of
    calls sent within one interval of each other count as one) and every caller
    waits out the pause. It speeds up again two ways: each answer that is not a
    429 raises it by `success_factor`, and each `recovery_seconds` without a 429
    doubles it, both up to `per_minute`. A 429 now and then (30% of answers,
    whatever the rate) therefore costs little; a quota that keeps refusing
    pushes the rate down to what it admits.
    """

    per_minute: float
    burst: int = 1
    min_per_minute: float = 6.0
    recovery_seconds: float = 60.0
    success_factor: float = 1.5

    def __post_init__(self) -> None:
        if (
            self.per_minute <= 0
            or self.burst < 1
            or self.min_per_minute <= 0
            or self.success_factor < 1
        ):
            raise ValueError(f"invalid rate limit {self!r}")


_NEGLIGIBLE = 1e-6  # seconds


class RateLimiter:
    """A thread-safe token bucket over an injectable clock.

    Implemented as virtual scheduling (GCRA): `_tat` is the instant the bucket
    would be full again, each call takes the earliest slot at which at most
    `burst` calls are outstanding, and the wait is taken outside the lock.
    """

    def __init__(self, limit: RateLimit, clock: Clock) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._interval = 60.0 / limit.per_minute  # seconds per call, longer after 429s
        now = clock.monotonic()
        self._tat = now
        self._resume_at = now  # nobody proceeds before this instant
        self._last_throttle: float | None = None  # start of the current quiet window
        self._last_halving = -float("inf")

    @property
    def per_minute(self) -> float:
        """The current sustained rate (lower than the limit after a 429)."""
        with self._lock:
            return 60.0 / self._interval

    def acquire(self) -> float:
        """Takes the next free slot, sleeping until it comes; returns the seconds waited."""
        with self._lock:
            now = self._clock.monotonic()
            self._recover(now)
            slot = max(now, self._tat - self._tolerance(), self._resume_at)
            self._tat = max(self._tat, slot) + self._interval
            wait = slot - now
            if wait < _NEGLIGIBLE:
                wait = 0.0  # float residue of the slot arithmetic, not a real wait
        if wait > 0:
            self._clock.sleep(wait)
        return wait

    def throttled(self, pause: float) -> None:
        """The service answered 429: pause everyone for `pause` s and halve the rate."""
        with self._lock:
            now = self._clock.monotonic()
            self._resume_at = max(self._resume_at, now + pause)
            slowest = 60.0 / self.limit.min_per_minute
            if now - self._last_halving >= self._interval:
                # Calls let through together are refused together: one halving for them all.
                self._interval = min(slowest, self._interval * 2.0)
                self._last_halving = now
            # No burst after the pause: the saved-up burst is what overran the quota.
            self._tat = max(self._tat, self._resume_at + self._tolerance())
            self._last_throttle = now

    def answered(self) -> None:
        """A call got an answer other than 429: the quota has room, speed up a little."""
        with self._lock:
            self._speed_up(self._clock.monotonic(), self.limit.success_factor)

    def _speed_up(self, now: float, factor: float) -> None:
        """Divides the interval by `factor` (down to the limit's) and drains the backlog as fast.

        Slots reserved while the rate was low would otherwise keep callers waiting at
        the old pace long after a storm; they are spread again at the new rate.
        """
        faster = max(60.0 / self.limit.per_minute, self._interval / factor)
        if faster >= self._interval:
            return
        free_at = self._tat - self._tolerance()  # the next free slot
        if free_at > now:
            free_at = now + (free_at - now) * faster / self._interval
        self._interval = faster
        self._tat = free_at + self._tolerance()

    def _tolerance(self) -> float:
        return (self.limit.burst - 1) * self._interval

    def _recover(self, now: float) -> None:
        nominal = 60.0 / self.limit.per_minute
        if self._last_throttle is None or self._interval <= nominal:
            return
        windows = int((now - self._last_throttle) // self.limit.recovery_seconds)
        if windows > 0:  # every quiet window that passed doubles the rate, not just one
            self._speed_up(now, 2.0 ** min(windows, 64))
            self._last_throttle += windows * self.limit.recovery_seconds

    def __repr__(self) -> str:
        return f"RateLimiter({self.limit!r})"


def answered(limiters: Iterable[RateLimiter]) -> None:
    """Tells every limiter of a call that it got an answer other than 429."""
    for limiter in limiters:
        limiter.answered()


def throttled(limiters: Iterable[RateLimiter], pause: float) -> None:
    """Tells every limiter of a call that it was refused with a 429."""
    for limiter in limiters:
        limiter.throttled(pause)
