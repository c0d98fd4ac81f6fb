"""`wait`'s progress lines as a terminal and a CI log show them."""

from __future__ import annotations

import datetime as dt
import io
import re

from tuneops.console import Console
from tuneops.core.jobs import RemoteJob
from tuneops.render.progress import TextProgressView, seconds_text
from tuneops.specs.kinds import BackendKind, JobState

START = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
MOVE = re.compile(r"\033\[\d+F")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _job(name: str, state: JobState, progress: float | None = None) -> RemoteJob:
    return RemoteJob(
        backend=BackendKind.VERTEX,
        name=f"projects/1/locations/us-central1/tuningJobs/{name}",
        spec_name=name,
        spec_hash="0" * 16,
        stack="demo",
        protect=False,
        state=state,
        create_time=START,
        start_time=START,
        end_time=START + dt.timedelta(seconds=20) if state.has_ended else None,
        progress=progress,
    )


def _rows(screen: str) -> list[str]:
    """What a terminal shows after the redraws: each move up rewinds over the drawn rows."""
    rows: list[str] = []
    cursor = 0
    for part in re.split(r"(\033\[\d+F)", screen):
        if MOVE.fullmatch(part):
            cursor -= int(part[2:-1])
            continue
        for line in part.split("\n")[:-1]:
            line = line.replace("\033[K", "")
            if cursor < len(rows):
                rows[cursor] = line
            else:
                rows.append(line)
            cursor += 1
    return rows


def test_a_narrow_terminal_gets_a_narrower_bar_and_a_clean_redraw() -> None:
    screen = Terminal()
    moments = iter([START + dt.timedelta(seconds=8), START + dt.timedelta(seconds=20)])
    view = TextProgressView(
        Console(io.StringIO(), screen, color=False),
        now=lambda: next(moments),
        columns=lambda stream: 50,
    )
    view.poll({"support-bot": _job("support-bot", JobState.RUNNING)})
    view.poll({"support-bot": _job("support-bot", JobState.SUCCEEDED)})

    written = [line.replace("\033[K", "") for line in MOVE.sub("", screen.getvalue()).split("\n")]
    assert all(len(line) <= 49 for line in written)
    assert _rows(screen.getvalue()) == ["support-bot  [##############] 100%  succeeded 20s"]


def test_a_job_without_reported_progress_shows_its_running_time() -> None:
    log = io.StringIO()
    moments = iter([START + dt.timedelta(seconds=s) for s in (8, 38, 68)])
    view = TextProgressView(Console(io.StringIO(), log, color=False), now=lambda: next(moments))
    view.poll({"bot": _job("bot", JobState.RUNNING)})
    view.poll({"bot": _job("bot", JobState.RUNNING)})  # only the clock moved: no new line
    view.poll({"bot": _job("bot", JobState.RUNNING, progress=50.0)})
    assert log.getvalue().splitlines() == [
        "bot  [------------------------]    ?  running 8s",
        "bot  [############------------]  50%  running 1m08s",
    ]


def test_a_fractional_timeout_is_shown_as_given() -> None:
    assert [seconds_text(s) for s in (0.5, 2.0, 90.0, 9.25)] == ["0.5s", "2s", "1m30s", "9.25s"]
