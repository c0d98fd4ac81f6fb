"""Reading a remote job back in spec terms: the helpers both services' views share.

Only fields a spec can set are read back (see `vertex.view`, `gemini.view`);
what the service left empty is dropped, so a view compares equal to a spec that
never set it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def pruned(data: Mapping[str, Any]) -> dict[str, Any]:
    """Drops None and empty values, recursively."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            value = pruned(value)
        if value not in (None, "", {}, []):
            out[key] = value
    return out


def as_int(value: Any) -> int | None:
    # int64 fields come back as JSON strings ("10").
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def as_float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
