"""Field-level differences between two spec snapshots, as dotted paths. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tuneops.core.plan import Change


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted paths (`hyperParameters.epochCount`) to leaf values."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, path))
        else:
            flat[path] = value
    return flat


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> tuple[Change, ...]:
    """Field changes between two spec snapshots (dotted paths, sorted)."""
    if old is None:
        return ()
    before, after = flatten(old), flatten(new)
    return tuple(
        Change(path, before.get(path), after.get(path))
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    )
