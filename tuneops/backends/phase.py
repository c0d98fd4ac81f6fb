"""A deadline for one phase of a command: many calls, one limit.

A command runs each worker thread of a phase (the listing of every place, say)
inside `phase_deadline`; the transport then starts no attempt after the
deadline, sleeps no backoff past it, and its watchdog cuts an attempt in flight
when it comes. Real time, like the watchdog's: the limit is the user's wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
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


def phase_remaining() -> float | None:
    """Seconds left in this thread's phase (negative once passed); None outside a phase."""
    end: float | None = getattr(_phase, "end", None)
    return None if end is None else end - time.monotonic()
