"""Rendering `tuneops wait`: a progress line per job, then how the wait ended.

On a terminal the text view redraws its lines in place; elsewhere (CI logs) it
prints a line only when a job's line changes. The JSON view prints one document
at the end, or hands it to `apply --wait --format json`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TextIO

from tuneops.console import Console, fit_encoding
from tuneops.core.jobs import RemoteJob
from tuneops.render.document import json_document
from tuneops.render.health import duration
from tuneops.specs.kinds import JobState

BAR_WIDTH = 24
MIN_BAR_WIDTH = 6
WaitEnd = Literal["succeeded", "failed", "timeout"]


@dataclass(frozen=True, slots=True)
class WaitResult:
    """How a wait ended, and each spec's current job at that moment."""

    end: WaitEnd
    jobs: Mapping[str, RemoteJob]
    timeout: float | None = None

    @property
    def failed(self) -> list[str]:
        """Specs whose job ended other than succeeded."""
        return sorted(
            n
            for n, j in self.jobs.items()
            if j.state.has_ended and j.state is not JobState.SUCCEEDED
        )

    @property
    def running(self) -> list[str]:
        """Specs whose job has not ended."""
        return sorted(n for n, j in self.jobs.items() if not j.state.has_ended)


def bar(job: RemoteJob, width: int = BAR_WIDTH) -> str:
    """`[######------------------]  25%`; `   ?` where the service reports no progress
    (Vertex AI), rather than a 0% that never moves."""
    if job.state is JobState.SUCCEEDED:
        fraction: float | None = 1.0
    elif job.progress is not None:
        fraction = job.progress / 100
    else:
        fraction = None if job.state.in_flight else 0.0
    filled = round((fraction or 0.0) * width)
    percent = "   ?" if fraction is None else f"{fraction * 100:3.0f}%"
    return "[" + "#" * filled + "-" * (width - filled) + f"] {percent}"


def progress_line(
    name: str,
    job: RemoteJob,
    width: int,
    now: dt.datetime | None = None,
    bar_width: int = BAR_WIDTH,
) -> str:
    """The name, the bar, the state, and how long it has run (up to `now` while it runs)."""
    start = job.start_time or job.create_time
    end = job.end_time if job.state.has_ended else (now if job.state.is_live else None)
    elapsed = f" {duration(end - start)}" if start and end else ""
    return f"{name:<{width}}  {bar(job, bar_width)}  {job.state.value}{elapsed}"


def seconds_text(seconds: float | None) -> str:
    """`90s` style text for a number of seconds; under ten, fractions are kept (`0.5s`)."""
    value = seconds or 0.0
    if value < 10 and not float(value).is_integer():
        return f"{value:g}s"
    return duration(dt.timedelta(seconds=value))


def fit_width(line: str, columns: int) -> str:
    """`line` cut to fit one terminal row, so a redraw never meets a wrapped line."""
    room = max(columns - 1, 1)
    return line if len(line) <= room else line[: max(room - 3, 0)] + "..."


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return shutil.get_terminal_size().columns


def job_data(name: str, job: RemoteJob) -> dict[str, Any]:
    """The JSON object of one spec's job in a wait."""
    return {
        "name": name,
        "job": job.name,
        "state": job.state.value,
        "progress": job.progress,
        "endpoint": job.endpoint,
        "error": job.error_message,
    }


class ProgressView(Protocol):
    """What `wait` shows."""

    def poll(self, jobs: Mapping[str, RemoteJob]) -> None:
        """The jobs as one poll saw them."""

    def finish(self, result: WaitResult) -> None:
        """The wait is over."""


@dataclass(slots=True)
class TextProgressView:
    """Progress lines on stderr, redrawn in place on a terminal."""

    console: Console
    drawn: int = 0
    last: dict[str, str] = field(default_factory=dict)
    now: Callable[[], dt.datetime] = _utc_now
    columns: Callable[[TextIO], int] = _columns

    def poll(self, jobs: Mapping[str, RemoteJob]) -> None:
        """Draws a line per job."""
        width = max((len(n) for n in jobs), default=0)
        now = self.now()
        lines = {name: progress_line(name, job, width, now) for name, job in jobs.items()}
        err = self.console.err
        if err.isatty():
            columns = self.columns(err)
            overflow = max((len(line) for line in lines.values()), default=0) - (columns - 1)
            if overflow > 0:  # a narrower bar first; cut the line only if that is not enough
                narrower = max(BAR_WIDTH - overflow, MIN_BAR_WIDTH)
                lines = {n: progress_line(n, j, width, now, narrower) for n, j in jobs.items()}
            encoding = getattr(err, "encoding", None)
            if self.drawn:
                err.write(f"\033[{self.drawn}F")
            for line in lines.values():
                err.write(f"\033[K{fit_encoding(fit_width(line, columns), encoding)}\n")
            err.flush()
            self.drawn = len(lines)
            return
        # In a log, a line per change of bar or state, not per tick of the clock.
        keys = {name: progress_line(name, job, width) for name, job in jobs.items()}
        for name, key in keys.items():
            if self.last.get(name) != key:
                self.console.note(lines[name])
        self.last = keys

    def finish(self, result: WaitResult) -> None:
        """One line saying how it ended."""
        if result.end == "succeeded":
            self.console.note(f"all {len(result.jobs)} jobs succeeded")
        elif result.end == "failed":
            self.console.note(f"error: not every job succeeded: {', '.join(result.failed)}")
        else:
            self.console.note(
                f"error: timed out after {seconds_text(result.timeout)} waiting for "
                f"{', '.join(result.running)} (the jobs keep running; wait again or check "
                "`tuneops status`)"
            )


@dataclass(slots=True)
class JsonProgressView:
    """Nothing while polling; one document at the end, printed or handed on."""

    console: Console
    sink: Callable[[dict[str, Any]], None] | None = None

    def poll(self, jobs: Mapping[str, RemoteJob]) -> None:
        """Nothing until the end."""

    def finish(self, result: WaitResult) -> None:
        """Prints the document, or gives it to `sink`."""
        body = {
            "result": result.end,
            "timeoutSeconds": result.timeout,
            "jobs": [job_data(n, j) for n, j in sorted(result.jobs.items())],
        }
        if self.sink is not None:
            self.sink(body)
        else:
            self.console.result(json_document("wait", body))


def progress_view(fmt: Literal["text", "json"], console: Console) -> ProgressView:
    """The view for `--format`."""
    return JsonProgressView(console) if fmt == "json" else TextProgressView(console)
