"""Rendering `tuneops status`: an aligned table, or JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from tuneops.core.health import Health, SpecStatus, Sync
from tuneops.render.document import OUTPUT_FORMAT_VERSION

_HEALTH_STYLE = {
    Health.HEALTHY: "green",
    Health.PROGRESSING: "cyan",
    Health.DEGRADED: "red",
    Health.SUSPENDED: "yellow",
}
_SYNC_STYLE = {Sync.IN_SYNC: "green", Sync.OUT_OF_SYNC: "yellow", Sync.MISSING: "red"}
COLUMNS = (
    "NAME",
    "SYNC",
    "HEALTH",
    "ACTIVE",
    "PENDING",
    "ELAPSED",
    "PROGRESS",
    "TOKENS",
    "ENDPOINT",
)


def duration(delta: dt.timedelta | None) -> str:
    """`1h02m`, `3m05s`, `42s`; `-` for none."""
    if delta is None:
        return "-"
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{seconds:02d}s"
    return f"{seconds}s"


def _cells(row: SpecStatus) -> tuple[str, ...]:
    return (
        row.name,
        row.sync.value,
        row.health.value,
        row.active_state or "-",
        row.pending_state or "-",
        duration(row.elapsed),
        row.progress or "-",
        tokens(row),
        row.endpoint or "-",
    )


def tokens(row: SpecStatus) -> str:
    """Billable tokens the job reports beside the offline estimate: `640 (est. 516)`."""
    if row.billable_tokens is None and row.estimated_tokens is None:
        return "-"
    billable = f"{row.billable_tokens:,}" if row.billable_tokens is not None else "-"
    if row.estimated_tokens is None:
        return billable
    return f"{billable} (est. {row.estimated_tokens:,})"


def render_table(rows: Sequence[SpecStatus], paint: Callable[[str, str], str], source: str) -> str:
    """The status table, errors beneath their rows, and where the facts came from."""
    cells = [COLUMNS, *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)).rstrip()]
    for row, values in zip(rows, cells[1:], strict=True):
        padded = [v.ljust(w) for v, w in zip(values, widths, strict=True)]
        padded[1] = paint(padded[1], _SYNC_STYLE[row.sync])
        padded[2] = paint(padded[2], _HEALTH_STYLE[row.health])
        lines.append("  ".join(padded).rstrip())
        if row.error:
            lines.append(f"  {paint('error:', 'red')} {row.error}")
    if not rows:
        lines.append("(no specs)")
    lines.append(paint(source, "dim"))
    return "\n".join(lines)


def status_data(rows: Sequence[SpecStatus], source: str) -> dict[str, Any]:
    """The JSON document of `tuneops status --format json`."""
    return {
        "formatVersion": OUTPUT_FORMAT_VERSION,
        "command": "status",
        "source": source,
        "specs": [
            {
                "name": r.name,
                "sync": r.sync.value,
                "health": r.health.value,
                "activeState": r.active_state,
                "pendingState": r.pending_state,
                "elapsedSeconds": int(r.elapsed.total_seconds()) if r.elapsed else None,
                "progress": r.progress,
                "endpoint": r.endpoint,
                "billableTokens": r.billable_tokens,
                "estimatedTokens": r.estimated_tokens,
                "error": r.error,
                "job": r.job,
            }
            for r in rows
        ],
    }


def render_json(rows: Sequence[SpecStatus], source: str) -> str:
    """Pretty JSON text."""
    return json.dumps(status_data(rows, source), indent=2, ensure_ascii=False)
