"""The rate limiter's pacing, burst, 429 back-off and recovery, on an injected clock."""

from __future__ import annotations

import threading

import pytest

from tests.backends.support import FakeClock
from tuneops.backends.transport.pacing import RateLimit, RateLimiter
from tuneops.backends.vertex.client import VERTEX_REQUESTS, VERTEX_SUBMISSIONS


class FrozenClock(FakeClock):
    """Sleeping records the wait but time stands still: waits show pure reservations."""

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)


def test_paces_one_call_per_interval_after_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(per_minute=60, burst=1), clock)
    waits = [limiter.acquire() for _ in range(4)]
    assert waits == [0.0, 1.0, 1.0, 1.0]
    assert clock.sleeps == [1.0, 1.0, 1.0]


def test_burst_passes_at_once_then_paces() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(per_minute=120, burst=3), clock)
    assert [limiter.acquire() for _ in range(5)] == [0.0, 0.0, 0.0, 0.5, 0.5]


def test_idle_time_refills_the_bucket_up_to_the_burst_only() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(per_minute=60, burst=2), clock)
    limiter.acquire()
    limiter.acquire()
    clock.advance(100.0)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 1.0]


def test_a_429_pauses_everyone_and_halves_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(per_minute=60, burst=5), clock)
    limiter.throttled(7.0)
    assert limiter.per_minute == 30.0
    # The saved-up burst is dropped: the pause is waited, then 2 s per call.
    assert [limiter.acquire() for _ in range(3)] == [7.0, 2.0, 2.0]


def test_rate_never_drops_below_the_floor() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(per_minute=60, min_per_minute=20), clock)
    for _ in range(5):
        limiter.throttled(0.0)
        clock.advance(5.0)
    assert limiter.per_minute == 20.0


def test_429s_of_calls_sent_together_halve_the_rate_once() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(per_minute=60), clock)
    for _ in range(8):  # eight workers refused at the same moment
        limiter.throttled(0.0)
    assert limiter.per_minute == 30.0
    clock.advance(2.0)  # one interval (2 s at 30/min) later: a new refusal counts
    limiter.throttled(0.0)
    assert limiter.per_minute == 15.0


def test_answers_speed_the_rate_up_again_to_the_limit() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(per_minute=60, min_per_minute=1), clock)
    for _ in range(6):
        limiter.throttled(0.0)
        clock.advance(120.0 - 1)
    assert limiter.per_minute < 2.0
    for _ in range(12):
        limiter.answered()
    assert limiter.per_minute == 60.0


def test_a_long_quiet_spell_restores_the_rate_at_once() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(per_minute=60, min_per_minute=1, recovery_seconds=10), clock)
    for _ in range(6):
        limiter.throttled(0.0)
        clock.advance(9.0)
    clock.advance(60.0)  # six quiet windows: six doublings, not one
    limiter.acquire()
    assert limiter.per_minute == 60.0


def test_rate_recovers_by_doubling_after_quiet_windows() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(per_minute=60, recovery_seconds=60), clock)
    limiter.throttled(0.0)
    clock.advance(2.0)
    limiter.throttled(0.0)
    assert limiter.per_minute == 15.0
    clock.advance(59.0)
    limiter.acquire()
    assert limiter.per_minute == 15.0
    clock.advance(1.0)
    limiter.acquire()
    assert limiter.per_minute == 30.0
    clock.advance(60.0)
    limiter.acquire()
    assert limiter.per_minute == 60.0
    clock.advance(600.0)
    limiter.acquire()
    assert limiter.per_minute == 60.0


def test_threads_get_distinct_slots() -> None:
    # With time standing still every caller reserves the next free slot: 8
    # threads x 5 calls at one call a second must wait exactly 0, 1, ..., 39 s.
    clock = FrozenClock()
    limiter = RateLimiter(RateLimit(per_minute=60, burst=1), clock)
    waits: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(5):
            wait = limiter.acquire()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [float(i) for i in range(40)]


def test_defaults_stay_within_vertex_quotas() -> None:
    # At most per_minute + burst calls fit in any 60 s window.
    assert VERTEX_REQUESTS.per_minute + VERTEX_REQUESTS.burst == 600
    assert VERTEX_SUBMISSIONS.per_minute + VERTEX_SUBMISSIONS.burst == 60


def test_vertex_default_admits_600_calls_in_the_first_minute() -> None:
    clock = FrozenClock()
    limiter = RateLimiter(VERTEX_REQUESTS, clock)
    slots = [limiter.acquire() for _ in range(700)]
    assert sum(1 for slot in slots if slot <= 60.0 + 1e-6) == 600


@pytest.mark.parametrize(
    "limit",
    [{"per_minute": 0}, {"per_minute": 10, "burst": 0}, {"per_minute": 1, "min_per_minute": 0}],
)
def test_invalid_limits_are_refused(limit: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RateLimit(**limit)  # type: ignore[arg-type]


def test_slots_reserved_at_a_low_rate_are_spread_again_when_it_recovers() -> None:
    clock = FakeClock()
    quota = RateLimit(per_minute=60, min_per_minute=1, recovery_seconds=10_000)
    limiter = RateLimiter(quota, clock)
    for _ in range(6):
        limiter.throttled(0.0)
        clock.advance(70.0)
    assert limiter.per_minute == 1.0
    assert limiter.acquire() == 0.0  # the next slot is now a minute away
    for _ in range(12):
        limiter.answered()
    assert limiter.per_minute == 60.0
    # Not the minute reserved at the old rate: one interval of the new one.
    assert limiter.acquire() == pytest.approx(1.0)
