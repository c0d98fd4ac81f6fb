"""`tuneops reconcile`: keep the lockfile true on a schedule and report drift.

It refreshes states, promotes succeeded revisions, adopts what the lockfile
missed and rebuilds a missing or broken lockfile (written with --write-lock),
but never creates or cancels a job unless told to `--apply`, which runs the
same path as `tuneops apply --auto-approve`, every guard included.
"""

from __future__ import annotations

import random
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Literal

from tuneops.commands import EXIT_BLOCKED, EXIT_CHANGES, EXIT_ERROR, EXIT_OK, names_given_as
from tuneops.console import Console
from tuneops.core.drift import Drift, find_drift
from tuneops.core.plan import BOOKKEEPING, CHANGES
from tuneops.errors import LockfileError, TuneopsError
from tuneops.github.reports import report_reconcile
from tuneops.project.file import Project, require_project
from tuneops.render.reconcile import CycleReport, ReconcileView, reconcile_view
from tuneops.runtime.applier import Applier, Outcome
from tuneops.runtime.checkout_lock import apply_lock
from tuneops.runtime.inputs import Inputs, PlanFlags, compute_plan, gather, load_local, plan_options
from tuneops.runtime.session import STATE_DIR, RemoteSession

MAX_BACKOFF_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class CycleResult:
    """What one reconcile cycle found and did."""

    code: int
    drift: tuple[Drift, ...]
    recorded: int
    waiting: int


def _inputs(project: Project, session: RemoteSession, console: Console) -> Inputs:
    def rebuild(error: LockfileError) -> None:
        console.note(f"warning: {error}; rebuilding it from the remote labels")

    return gather(project, session, load_local(project, on_broken_lockfile=rebuild))


def reconcile_once(
    project: Project,
    *,
    write_lock: bool,
    apply: bool,
    flags: PlanFlags,
    detailed_exitcode: bool,
    console: Console,
    view: ReconcileView,
) -> CycleResult:
    """One cycle: list, plan, record bookkeeping (or apply), report drift."""
    code = EXIT_OK
    outcomes: tuple[Outcome, ...] = ()
    with apply_lock(project.root / STATE_DIR), RemoteSession(project) as session:
        inputs = _inputs(project, session, console)
        with names_given_as("--target"):
            plan = compute_plan(inputs, plan_options(project, flags))
        drift = find_drift(inputs.specs, inputs.lockfile, inputs.remote or ())
        chosen = plan if apply else plan.only(BOOKKEEPING)
        blocked = apply and bool(plan.blocked)
        if blocked:
            chosen, code = plan.only(BOOKKEEPING), EXIT_BLOCKED
        if write_lock or apply:
            outcomes = Applier.for_inputs(session, inputs).run(chosen)
            if any(not o.ok and not o.attention for o in outcomes):
                code = EXIT_ERROR
            elif any(o.attention for o in outcomes):
                code = EXIT_BLOCKED  # a promotion gate held a revision back
    shown = plan.only(BOOKKEEPING) if apply else plan
    view.cycle(CycleReport(shown, drift, outcomes, write_lock or apply, blocked))
    report_reconcile(plan.only(CHANGES), drift, write_lock or apply)
    if code == EXIT_OK and detailed_exitcode and drift:
        code = EXIT_CHANGES
    waiting = 0 if apply else len(plan.only(CHANGES).actions)
    return CycleResult(code, drift, len(chosen.actions), waiting)


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM end the watch loop after the current cycle."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


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
) -> int:
    """Runs one cycle, or with `watch` one per `interval` (±10% jitter) until stopped."""
    project = require_project(config)
    view = reconcile_view(fmt, console, watch)
    if not watch:
        return reconcile_once(
            project,
            write_lock=write_lock,
            apply=apply,
            flags=flags,
            detailed_exitcode=detailed_exitcode,
            console=console,
            view=view,
        ).code
    stop = stop or threading.Event()
    rng = rng or random.Random()
    failures = 0
    cycle = 0
    with _stop_on_signals(stop):
        while not stop.is_set():
            cycle += 1
            try:
                result = reconcile_once(
                    project,
                    write_lock=write_lock,
                    apply=apply,
                    flags=flags,
                    detailed_exitcode=False,
                    console=console,
                    view=view,
                )
                failures = 0
                console.note(
                    f"reconcile cycle {cycle}: {result.recorded} recorded, "
                    f"{result.waiting} changes waiting, {len(result.drift)} drift"
                )
                delay = interval
            except TuneopsError as error:  # remote trouble: keep watching, back off
                failures += 1
                delay = min(interval * 2**failures, max(interval, MAX_BACKOFF_SECONDS))
                console.note(f"reconcile cycle {cycle} failed: {error}; next try in {delay:.0f}s")
            stop.wait(delay * rng.uniform(0.9, 1.1))
    console.note(f"reconcile stopped after {cycle} cycles")
    return EXIT_OK
