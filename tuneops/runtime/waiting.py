"""Waiting for jobs to end (`tuneops wait`, `apply --wait`), keeping the lockfile true.

Each poll is one listing per place; what finished is recorded (promoted or
adopted) under the checkout lock, skipped while another apply holds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from tuneops.core.jobs import RemoteJob
from tuneops.core.plan import BOOKKEEPING
from tuneops.core.planner import current_job
from tuneops.errors import ApplyLockedError, UsageError
from tuneops.lockfile.file import read_lockfile
from tuneops.project.file import Project
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

WaitEnd = Literal["succeeded", "failed", "timeout"]


@dataclass(frozen=True, slots=True)
class WaitOutcome:
    """How a wait ended, and each spec's current job at that moment."""

    end: WaitEnd
    jobs: Mapping[str, RemoteJob]


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
    on_poll: Callable[[Mapping[str, RemoteJob]], None],
    timeout: float | None,
    poll_seconds: float,
    *,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    lock_held: bool = False,
) -> WaitOutcome:
    """Polls until the current jobs of `names` (or of every spec) end, or `timeout`.

    `on_poll` sees each poll's jobs; `lock_held`: the caller (apply --wait)
    already holds the checkout lock.
    """
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
        on_poll(jobs)
        if all(job.state.has_ended for job in jobs.values()):
            ok = all(job.state is JobState.SUCCEEDED for job in jobs.values())
            return WaitOutcome("succeeded" if ok else "failed", jobs)
        if deadline is not None and monotonic() >= deadline:
            return WaitOutcome("timeout", jobs)
        sleep(poll_seconds)
