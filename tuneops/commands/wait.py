"""`tuneops wait`: block until the specs' jobs end, keeping the lockfile true meanwhile."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_ERROR, EXIT_OK, EXIT_TIMEOUT
from tuneops.console import Console
from tuneops.core.plan import BOOKKEEPING
from tuneops.core.planner import current_job
from tuneops.errors import ApplyLockedError, UsageError
from tuneops.lockfile.file import read_lockfile
from tuneops.project.file import Project, require_project
from tuneops.render.progress import ProgressView, WaitResult, progress_view
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
from tuneops.specs.kinds import JobState
from tuneops.specs.models import JobSpec

_EXIT = {"succeeded": EXIT_OK, "failed": EXIT_ERROR, "timeout": EXIT_TIMEOUT}


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
    view: ProgressView,
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
    deadline = monotonic() + timeout if timeout is not None else None
    while True:
        lockfile = read_lockfile(project.lockfile_path, project.config.stack)  # written by _record
        observed = session.with_details(observe(session, specs, lockfile))  # Gemini progress
        inputs = Inputs(project, specs, lockfile, observed)
        found = {s.name: current_job(s, inputs.remote or ()) for s in targets}
        missing = sorted(name for name, job in found.items() if job is None)
        if missing:
            raise UsageError(
                f"no job for the current spec of {', '.join(missing)}; run `tuneops apply` first"
            )
        jobs = {name: job for name, job in found.items() if job is not None}
        _record(session, inputs, set(jobs), lock_held)
        view.poll(jobs)
        result = None
        if all(job.state.has_ended for job in jobs.values()):
            ok = all(job.state is JobState.SUCCEEDED for job in jobs.values())
            result = WaitResult("succeeded" if ok else "failed", jobs, timeout)
        elif deadline is not None and monotonic() >= deadline:
            result = WaitResult("timeout", jobs, timeout)
        if result is not None:
            view.finish(result)
            return _EXIT[result.end]
        sleep(poll_seconds)


def wait(
    config: Path | None,
    names: Sequence[str],
    *,
    timeout: float | None,
    poll_seconds: float,
    console: Console,
    fmt: Literal["text", "json"] = "text",
) -> int:
    """Blocks until the named specs' (or all specs') current jobs end.

    Exit 0 when all succeeded, 1 when any failed or was cancelled, 124 on timeout.
    """
    project = require_project(config)
    load_local(project)  # invalid specs stop before any remote call
    with RemoteSession(project, budgeted=False) as session:
        return wait_for(
            project,
            session,
            names,
            timeout=timeout,
            poll_seconds=poll_seconds,
            view=progress_view(fmt, console),
        )
