"""Rendering `tuneops status`: an aligned table, or JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any, Literal

from tuneops.console import Console
from tuneops.core.health import Health, SpecStatus, Sync
from tuneops.core.model_notices import ModelNotice
from tuneops.lockfile.file import Queued, QueueReason
from tuneops.render.document import OUTPUT_FORMAT_VERSION
from tuneops.render.evaluation import comparison_line, results_data, revision_lines
from tuneops.render.model_notices import notice_line

_HEALTH_STYLE = {
    Health.HEALTHY: "green",
    Health.PROGRESSING: "cyan",
    Health.DEGRADED: "red",
    Health.SUSPENDED: "yellow",
}
_SYNC_STYLE = {Sync.IN_SYNC: "green", Sync.OUT_OF_SYNC: "yellow", Sync.MISSING: "red"}
COLUMNS = ("NAME", "SYNC", "HEALTH", "ACTIVE", "PENDING", "ELAPSED", "PROGRESS", "ENDPOINT")


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
        "queued" if row.queued is not None else row.pending_state or "-",
        duration(row.elapsed),
        row.progress or "-",
        row.endpoint or "-",
    )


def detail_lines(row: SpecStatus) -> list[str]:
    """What the services report beyond the table: model, training data, experiment."""
    lines = []
    if row.model:
        lines.append(f"model: {row.model}")
    job = row.newest
    if job is not None and (job.example_count is not None or job.billable_tokens is not None):
        parts = []
        if job.example_count is not None:
            parts.append(f"{job.example_count:,} examples")
        if job.billable_tokens is not None:
            parts.append(f"{job.billable_tokens:,} billable tokens")
            if row.estimated_tokens is not None:
                # Beside the plan's offline estimate of one pass, so it can be checked.
                parts[-1] += f" (estimated {row.estimated_tokens:,})"
        lines.append(f"training data: {', '.join(parts)}")
    if job is not None and job.experiment:
        lines.append(f"experiment: {job.experiment}")
    return lines


def results_lines(row: SpecStatus, details: bool) -> list[str]:
    """Gate, scores and checkpoints of the row's revisions, old beside new.

    The table shows only what needs attention (a gate that held a revision back,
    with old and new scores); `status NAME` shows every result.
    """
    pending, active = row.pending_revision, row.active_revision
    held = pending is not None and (pending.gate or {}).get("result") == "failed"
    if not details and not held:
        return []
    lines = []
    for label, revision in (("pending", pending), ("active", active)):
        if revision is not None:
            found = revision_lines(label, revision)
            lines += found if details else [line for line in found if " gate: " in line]
    comparison = comparison_line(row.active_revision, row.pending_revision)
    if comparison is not None:
        lines.append(comparison)
    return lines


def queued_text(queued: Queued) -> str:
    """Why and where a spec waits, for the line beneath its row."""
    why = (
        "vertex.maxConcurrentJobs jobs are in flight in its project and region"
        if queued.reason is QueueReason.LIMIT
        else "the service refused the create for quota (too many jobs in flight)"
    )
    place = f"ticket {queued.ticket}" if queued.ticket else "not recorded until apply"
    return f"waits for a free slot ({place}): {why}; the next apply starts it when one frees"


def render_table(
    rows: Sequence[SpecStatus],
    paint: Callable[[str, str], str],
    source: str,
    details: bool = False,
    notices: Sequence[ModelNotice] = (),
) -> str:
    """The status table, errors beneath their rows, and where the facts came from.

    With `details` (status of named specs), each row is followed by the tuned
    model, the training-data statistics and the experiment the service reports.
    """
    cells = [COLUMNS, *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)).rstrip()]
    for row, values in zip(rows, cells[1:], strict=True):
        padded = [v.ljust(w) for v, w in zip(values, widths, strict=True)]
        padded[1] = paint(padded[1], _SYNC_STYLE[row.sync])
        padded[2] = paint(padded[2], _HEALTH_STYLE[row.health])
        lines.append("  ".join(padded).rstrip())
        if row.error:
            code = f" (code {row.error_code})" if row.error_code is not None else ""
            lines.append(f"  {paint('error:', 'red')} {row.error}{code}")
        if row.queued is not None:
            lines.append(f"  {paint('queued:', 'yellow')} {queued_text(row.queued)}")
        if details:
            lines.extend(f"  {line}" for line in detail_lines(row))
        lines.extend(f"  {line}" for line in results_lines(row, details))
    if not rows:
        lines.append("(no specs)")
    lines += [f"{paint('warning:', 'yellow')} {notice_line(notice)}" for notice in notices]
    lines.append(paint(source, "dim"))
    return "\n".join(lines)


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _job_data(row: SpecStatus) -> dict[str, Any]:
    job = row.newest
    if job is None:
        return {
            "errorCode": None,
            "createTime": None,
            "startTime": None,
            "endTime": None,
            "updateTime": None,
            "tuningDataStats": None,
            "experiment": None,
        }
    stats = None
    if job.example_count is not None or job.billable_tokens is not None:
        stats = {"exampleCount": job.example_count, "billableTokens": job.billable_tokens}
    return {
        "errorCode": row.error_code,
        "createTime": _time(job.create_time),
        "startTime": _time(job.start_time),
        "endTime": _time(job.end_time),
        "updateTime": _time(job.update_time),
        "tuningDataStats": stats,
        "experiment": job.experiment,
    }


def status_data(
    rows: Sequence[SpecStatus], source: str, notices: Sequence[ModelNotice] = ()
) -> dict[str, Any]:
    """The JSON document of `tuneops status --format json`.

    `progress` is the text column; `progressPercent` the number when the service
    reports one (Gemini's create operation); times are those of the newest job.
    """
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
                "progressPercent": _percent(r),
                "error": r.error,
                "job": r.job,
                "model": r.model,
                "estimatedTokens": r.estimated_tokens,
                "queued": _queued_data(r.queued),
                "activeResults": results_data(r.active_revision),
                "pendingResults": results_data(r.pending_revision),
                **_job_data(r),
            }
            for r in rows
        ],
        "modelNotices": [notice.to_data() for notice in notices],
    }


def _queued_data(queued: Queued | None) -> dict[str, Any] | None:
    if queued is None:
        return None
    return {
        "reason": queued.reason.value,
        "ticket": queued.ticket or None,
        "specHash": queued.spec_hash,
    }


def _percent(row: SpecStatus) -> float | None:
    job = row.newest
    if job is None or job.progress is None:
        return None
    return round(job.progress, 2)


def render_json(
    rows: Sequence[SpecStatus], source: str, notices: Sequence[ModelNotice] = ()
) -> str:
    """Pretty JSON text."""
    return json.dumps(status_data(rows, source, notices), indent=2, ensure_ascii=False)


def show_status(
    rows: Sequence[SpecStatus],
    source: str,
    notices: Sequence[ModelNotice],
    *,
    fmt: Literal["text", "json"],
    details: bool,
    console: Console,
) -> None:
    """`tuneops status`'s view, chosen once from `--format`."""
    if fmt == "json":
        console.result(render_json(rows, source, notices))
    else:
        console.result(render_table(rows, console.paint, source, details, notices))
