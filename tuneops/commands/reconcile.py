"""`tuneops reconcile`: keep the lockfile true on a schedule and report drift.

What a cycle records, applies and finds is `runtime.reconciling`; this module
shows each cycle and decides its exit code.
"""

from __future__ import annotations

import random
import threading
from functools import partial
from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_BLOCKED, EXIT_CHANGES, EXIT_ERROR, EXIT_OK, names_given_as
from tuneops.console import Console
from tuneops.core.plan import CHANGES
from tuneops.errors import LockfileError
from tuneops.github.reports import report_reconcile
from tuneops.project.file import require_project
from tuneops.render.lines import TARGET_FLAG, lockfile_rebuilt, watch_stopped
from tuneops.render.reconcile import CycleReport, reconcile_view
from tuneops.runtime.inputs import PlanFlags
from tuneops.runtime.reconciling import Cycle, reconcile_cycle
from tuneops.runtime.shared_state import DEFAULT_LOCK_TIMEOUT
from tuneops.service.listen import Listen
from tuneops.service.loop import Clock, run_watched


def reconcile(
    config: Path | None,
    *,
    write_lock: bool,
    apply: bool,
    detailed_exitcode: bool,
    watch: bool,
    interval: float,
    flags: PlanFlags,
    console: Console,
    stop: threading.Event | None = None,
    rng: random.Random | None = None,
    fmt: Literal["text", "json"] = "text",
    metrics: Listen | None = None,
    clock: Clock | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> int:
    """Runs one cycle, or with `watch` one per `interval` (±10% jitter) until stopped,
    serving metrics and health on `metrics` (docs/running-on-a-schedule.md)."""
    project = require_project(config)
    view = reconcile_view(fmt, console, watch)
    cycle_once = partial(reconcile_cycle, project, lock_timeout=lock_timeout)

    def broken(error: LockfileError) -> None:
        console.note(lockfile_rebuilt(str(error)))

    def run(observed: bool = False) -> Cycle:
        with names_given_as(TARGET_FLAG):
            done = cycle_once(
                write_lock=write_lock,
                apply=apply,
                flags=flags,
                on_broken_lockfile=broken,
                observed=observed,
            )
        view.cycle(CycleReport(done.shown, done.drift, done.outcomes, done.wrote, done.blocked))
        report_reconcile(done.plan.only(CHANGES), done.drift, done.wrote)
        return done

    if not watch:
        done = run()
        code = EXIT_ERROR if done.failed else EXIT_BLOCKED if done.blocked or done.held else EXIT_OK
        return EXIT_CHANGES if code == EXIT_OK and detailed_exitcode and done.drift else code

    timeouts = project.config.timeouts
    cycles = run_watched(run, interval, timeouts, apply, console, metrics, clock, stop, rng)
    console.note(watch_stopped(cycles))
    return EXIT_OK
