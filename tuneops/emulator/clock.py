"""Virtual time: the wall clock plus an offset that tests can advance.

Job progress is computed from timestamps and this clock, never from a background
thread, so advancing the clock moves every job at once and a restarted emulator
picks up where it was. Times are integers in microseconds since the Unix epoch,
which is the precision the Vertex API reports.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

MICROS = 1_000_000

# A frozen clock starts here so that test output does not depend on the day it ran.
FROZEN_START_US = 1_735_689_600 * MICROS  # 2025-01-01T00:00:00Z

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


def _wall_us() -> int:
    return time.time_ns() // 1000


class VirtualClock:
    """Wall time (or a fixed start when frozen) plus an advance offset."""

    def __init__(
        self, *, frozen: bool, offset_us: int = 0, wall: Callable[[], int] = _wall_us
    ) -> None:
        self._frozen = frozen
        self._offset_us = offset_us
        self._wall = wall
        self._lock = threading.Lock()

    @property
    def offset_us(self) -> int:
        """How far the clock has been advanced, in microseconds."""
        return self._offset_us

    def now_us(self) -> int:
        """The current virtual time."""
        base = FROZEN_START_US if self._frozen else self._wall()
        return base + self._offset_us

    def advance(self, seconds: float) -> int:
        """Moves the clock forward by `seconds` and returns the new time."""
        with self._lock:
            self._offset_us += round(seconds * MICROS)
        return self.now_us()

    def reset(self) -> None:
        """Drops every advance."""
        with self._lock:
            self._offset_us = 0


def format_time(us: int) -> str:
    """RFC 3339 in UTC with microseconds and `Z`, as Vertex AI writes timestamps."""
    seconds, micros = divmod(us, MICROS)
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{micros:06d}Z"


def parse_time(text: str) -> int | None:
    """Parses an RFC 3339 timestamp to microseconds; None when it is not one."""
    match = _RFC3339.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zulu, sign, off_h, off_m = match.groups()[6:]
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:
        return None
    us = int(moment.timestamp()) * MICROS + int((fraction or "0").ljust(9, "0")[:6])
    if not zulu:
        offset = (int(off_h) * 60 + int(off_m)) * 60 * MICROS
        us = us - offset if sign == "+" else us + offset
    return us
