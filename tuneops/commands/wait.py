"""`tuneops wait`: block until the specs' jobs end, keeping the lockfile true meanwhile."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tuneops.commands import EXIT_ERROR, EXIT_OK
from tuneops.console import Console
from tuneops.core.jobs import JobState, RemoteJob
from tuneops.core.plan import BOOKKEEPING
from tuneops.core.planner import current_job
from tuneops.errors import ApplyLockedError, UsageError
from tuneops.lockfile.file import read_lockfile
from tuneops.project import Project, require_project
from tuneops.render.health import duration
from tuneops.runtime.applier import Applier
from tuneops.runtime.checkout_lock import apply_lock
from tuneops.runtime.inputs import (
    Inputs,
    PlanFlags,
    compute_plan,
    load_local,
    observe,
    plan_options,
)
from tuneops.runtime.session import STATE_DIR, RemoteSession
from tuneops.specs.models import JobSpec

EXIT_TIMEOUT = 124
BAR_WIDTH = 24


def _bar(job: RemoteJob) -> str:
    if job.state is JobState.SUCCEEDED:
        fraction = 1.0
    elif job.progress is not None:
        fraction = job.progress / 100
    else:
        fraction = 0.0
    filled = round(fraction * BAR_WIDTH)
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + f"] {fraction * 100:3.0f}%"


def _line(name: str, job: RemoteJob, width: int) -> str:
    start = job.start_time or job.create_time
    end = job.end_time if job.state.has_ended else None
    elapsed = ""
    if start and end:
        elapsed = f" {duration(end - start)}"
    return f"{name:<{width}}  {_bar(job)}  {job.state.value}{elapsed}"


class _Display:
    """Redraws one line per job on a terminal; prints a line per change elsewhere."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = console.err.isatty()
        self.drawn = 0
        self.last: dict[str, str] = {}

    def show(self, lines: dict[str, str]) -> None:
        if self.live:
            if self.drawn:
                self.console.err.write(f"\033[{self.drawn}F")
            for line in lines.values():
                self.console.err.write(f"\033[K{line}\n")
            self.console.err.flush()
            self.drawn = len(lines)
            return
        for name, line in lines.items():
            if self.last.get(name) != line:
                self.console.note(line)
        self.last = dict(lines)


def _record(session: RemoteSession, inputs: Inputs, names: set[str], lock_held: bool) -> None:
    """Promotes or adopts what finished; skipped while another apply holds the lock."""
    project = inputs.project
    plan = compute_plan(inputs, plan_options(project, PlanFlags(targets=tuple(sorted(names)))))

    def run() -> None:
        Applier.for_inputs(session, inputs).run(plan.only(BOOKKEEPING))

    if lock_held:
        run()
        return
    try:
        with apply_lock(project.root / STATE_DIR):
            run()
    except ApplyLockedError:
        pass


def wait_for(
    project: Project,
    session: RemoteSession,
    names: Sequence[str],
    *,
    timeout: float | None,
    poll_seconds: float,
    console: Console,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    lock_held: bool = False,
) -> int:
    """Polls (one listing per place) until the jobs of `names` end; see `wait`."""
    specs = load_local(project).specs  # read once; only the lockfile changes while waiting
    known = {spec.name for spec in specs}
    unknown = sorted(set(names) - known)
    if unknown:
        raise UsageError(f"no spec named {', '.join(unknown)}")
    targets: list[JobSpec] = [s for s in specs if not names or s.name in names]
    width = max((len(s.name) for s in targets), default=0)
    display = _Display(console)
    deadline = monotonic() + timeout if timeout is not None else None
    while True:
        lockfile = read_lockfile(project.lockfile_path, project.config.stack)  # written by _record
        inputs = Inputs(project, specs, lockfile, observe(session, specs, lockfile))
        jobs = {s.name: current_job(s, inputs.remote or ()) for s in targets}
        missing = sorted(name for name, job in jobs.items() if job is None)
        if missing:
            raise UsageError(
                f"no job for the current spec of {', '.join(missing)}; run `tuneops apply` first"
            )
        _record(session, inputs, {s.name for s in targets}, lock_held)
        display.show({name: _line(name, job, width) for name, job in jobs.items() if job})
        ended = [job for job in jobs.values() if job and job.state.has_ended]
        if len(ended) == len(jobs):
            bad = sorted(n for n, j in jobs.items() if j and j.state is not JobState.SUCCEEDED)
            if bad:
                console.note(f"error: not every job succeeded: {', '.join(bad)}")
                return EXIT_ERROR
            console.note(f"all {len(jobs)} jobs succeeded")
            return EXIT_OK
        if deadline is not None and monotonic() >= deadline:
            running = sorted(n for n, j in jobs.items() if j and not j.state.has_ended)
            console.note(
                f"error: timed out after {duration_text(timeout)} waiting for {', '.join(running)}"
                " (the jobs keep running; wait again or check `tuneops status`)"
            )
            return EXIT_TIMEOUT
        sleep(poll_seconds)


def duration_text(seconds: float | None) -> str:
    """`90s` style text for a number of seconds."""
    return duration(dt.timedelta(seconds=seconds or 0))


def wait(
    config: Path | None,
    names: Sequence[str],
    *,
    timeout: float | None,
    poll_seconds: float,
    console: Console,
) -> int:
    """Blocks until the named specs' (or all specs') current jobs end.

    Exit 0 when all succeeded, 1 when any failed or was cancelled, 124 on timeout.
    """
    project = require_project(config)
    load_local(project)  # invalid specs stop before any remote call
    with RemoteSession(project) as session:
        return wait_for(
            project, session, names, timeout=timeout, poll_seconds=poll_seconds, console=console
        )
