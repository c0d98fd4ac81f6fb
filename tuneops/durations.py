"""Durations on the command line: `90`, `45s`, `5m`, `1h30m`."""

from __future__ import annotations

import re

from tuneops.errors import UsageError

_PART = re.compile(r"(\d+(?:\.\d+)?)([hms])")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(text: str, *, allow_zero: bool = False) -> float:
    """Seconds in `text`; a bare number means seconds. Zero only with `allow_zero`
    (a timeout that means "do not wait at all")."""
    value = text.strip()
    try:
        seconds = float(value)
    except ValueError:
        parts = _PART.findall(value)
        if not parts or "".join(n + u for n, u in parts) != value:
            raise UsageError(
                f"invalid duration {text!r}: use seconds or units, e.g. 90, 45s, 5m, 1h30m"
            ) from None
        seconds = sum(float(number) * _UNITS[unit] for number, unit in parts)
    if seconds < 0 or (seconds == 0 and not allow_zero) or seconds != seconds:
        raise UsageError(f"invalid duration {text!r}: must be positive")
    return seconds
