"""Rendering `tuneops wait`: a progress line per job, then how the wait ended.

On a terminal the text view redraws its lines in place; elsewhere (CI logs) it
prints a line only when a job's line changes. The JSON view prints one document
at the end, or hands it to `apply --wait --format json`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tuneops.console import Console
from tuneops.core.jobs import JobState, RemoteJob
from tuneops.render.document import json_document
from tuneops.render.health import duration

BAR_WIDTH = 24
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


def bar(job: RemoteJob) -> str:
    """`[######------------------]  25%`."""
    if job.state is JobState.SUCCEEDED:
        fraction = 1.0
    elif job.progress is not None:
        fraction = job.progress / 100
    else:
        fraction = 0.0
    filled = round(fraction * BAR_WIDTH)
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + f"] {fraction * 100:3.0f}%"


def progress_line(name: str, job: RemoteJob, width: int) -> str:
    """The name, the bar, the state, and how long it ran once it ended."""
    start = job.start_time or job.create_time
    end = job.end_time if job.state.has_ended else None
    elapsed = f" {duration(end - start)}" if start and end else ""
    return f"{name:<{width}}  {bar(job)}  {job.state.value}{elapsed}"


def seconds_text(seconds: float | None) -> str:
    """`90s` style text for a number of seconds."""
    return duration(dt.timedelta(seconds=seconds or 0))


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

    def poll(self, jobs: Mapping[str, RemoteJob]) -> None:
        """Draws a line per job."""
        width = max((len(n) for n in jobs), default=0)
        lines = {name: progress_line(name, job, width) for name, job in jobs.items()}
        err = self.console.err
        if err.isatty():
            if self.drawn:
                err.write(f"\033[{self.drawn}F")
            for line in lines.values():
                err.write(f"\033[K{line}\n")
            err.flush()
            self.drawn = len(lines)
            return
        for name, line in lines.items():
            if self.last.get(name) != line:
                self.console.note(line)
        self.last = dict(lines)

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
