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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Literal

from tuneops.backends.transport.clock import Clock, SystemClock
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
from tuneops.runtime.inputs import (
    Inputs,
    PlanFlags,
    compute_plan,
    gather,
    load_local,
    observe,
    plan_options,
)
from tuneops.runtime.session import STATE_DIR, RemoteSession
from tuneops.service.health import HealthRules
from tuneops.service.listen import Listen
from tuneops.service.snapshot import CycleSnapshot, cost_applied, snapshot_of
from tuneops.service.watcher import Watcher, watching

MAX_BACKOFF_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class CycleResult:
    """What one reconcile cycle found and did."""

    code: int
    drift: tuple[Drift, ...]
    recorded: int
    waiting: int
    outcomes: tuple[Outcome, ...] = ()
    snapshot: CycleSnapshot | None = None


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
    observed: bool = False,
) -> CycleResult:
    """One cycle: list, plan, record bookkeeping (or apply), report drift.

    With `observed`, the result carries a snapshot for the metrics, taken from a
    second listing when the cycle started or cancelled jobs.
    """
    code = EXIT_OK
    outcomes: tuple[Outcome, ...] = ()
    snapshot = None
    with apply_lock(project.root / STATE_DIR), RemoteSession(project) as session:
        inputs = _inputs(project, session, console)
        with names_given_as("--target"):
            plan = compute_plan(inputs, plan_options(project, flags))
        drift = find_drift(inputs.specs, inputs.lockfile, inputs.remote or ())
        _log_drift(console, drift)
        chosen = plan if apply else plan.only(BOOKKEEPING)
        blocked = apply and bool(plan.blocked)
        if blocked:
            chosen, code = plan.only(BOOKKEEPING), EXIT_BLOCKED
        if write_lock or apply:
            outcomes = Applier.for_inputs(session, inputs).run(chosen)
            if any(not o.ok for o in outcomes):
                code = EXIT_ERROR
        if observed:
            jobs = inputs.remote or ()
            if any(o.ok and o.action.kind in CHANGES for o in outcomes):
                jobs = observe(session, inputs.specs, inputs.lockfile)
            snapshot = snapshot_of(inputs.specs, plan, drift, jobs, outcomes)
    shown = plan.only(BOOKKEEPING) if apply else plan
    view.cycle(CycleReport(shown, drift, outcomes, write_lock or apply, blocked))
    report_reconcile(plan.only(CHANGES), drift, write_lock or apply)
    if code == EXIT_OK and detailed_exitcode and drift:
        code = EXIT_CHANGES
    waiting = 0 if apply else len(plan.only(CHANGES).actions)
    return CycleResult(code, drift, len(chosen.actions), waiting, outcomes, snapshot)


def _log_drift(console: Console, drift: tuple[Drift, ...]) -> None:
    """With JSON logs, one warning per drift, for a log collector (the view shows
    drift on stdout in either case)."""
    if not console.structured:
        return
    for item in drift:
        text = f"{item.name}: {item.kind.value}: {item.message}"
        kind = item.kind.name.lower()
        console.log("warning", "reconcile.drift", text, spec=item.name, job=item.job, kind=kind)


def _cycle_done(watcher: Watcher, result: CycleResult, scrub: Callable[[str], str]) -> None:
    """Tells the watcher how a cycle that raised nothing went: a cycle whose apply
    failed counts as failed (the loop goes on at its interval all the same)."""
    failed = [o for o in result.outcomes if not o.ok]
    if failed:
        first = scrub(str(failed[0].detail))
        watcher.cycle_failed(f"{len(failed)} actions failed, the first: {first}")
    else:
        watcher.cycle_succeeded(result.snapshot or CycleSnapshot(), cost_applied(result.outcomes))


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
    metrics: Listen | None = None,
    clock: Clock | None = None,
) -> int:
    """Runs one cycle, or with `watch` one per `interval` (±10% jitter) until stopped;
    with `metrics`, the watch loop serves its metrics and health there
    (docs/running-on-a-schedule.md). `stop`, `rng` and `clock` make it testable."""
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
    clock = clock or SystemClock()
    rules = HealthRules.for_loop(interval, project.config.timeouts, applying=apply)
    failures = 0
    cycle = 0
    with _stop_on_signals(stop), watching(rules, clock, metrics) as (watcher, bound):
        if bound is not None:
            host, port = bound
            shown = f"[{host}]" if ":" in host else host
            console.log(
                "info",
                "service.listening",
                f"serving /metrics, /healthz and /readyz on http://{shown}:{port}",
                port=port,
            )
        while not stop.is_set():
            cycle += 1
            watcher.cycle_started()
            started = clock.monotonic()
            try:
                result = reconcile_once(
                    project,
                    write_lock=write_lock,
                    apply=apply,
                    flags=flags,
                    detailed_exitcode=False,
                    console=console,
                    view=view,
                    observed=metrics is not None,
                )
                failures = 0
                _cycle_done(watcher, result, console.scrub)
                console.log(
                    "info",
                    "reconcile.cycle",
                    f"reconcile cycle {cycle}: {result.recorded} recorded, "
                    f"{result.waiting} changes waiting, {len(result.drift)} drift",
                    cycle=cycle,
                    duration=round(clock.monotonic() - started, 3),
                )
                delay = interval
            except TuneopsError as error:  # remote trouble: keep watching, back off
                failures += 1
                watcher.cycle_failed(console.scrub(str(error)))
                delay = min(interval * 2**failures, max(interval, MAX_BACKOFF_SECONDS))
                console.log(
                    "error",
                    "reconcile.cycle_failed",
                    f"reconcile cycle {cycle} failed: {error}; next try in {delay:.0f}s",
                    cycle=cycle,
                    duration=round(clock.monotonic() - started, 3),
                )
            pause = delay * rng.uniform(0.9, 1.1)
            watcher.sleeping(pause)
            stop.wait(pause)
    console.note(f"reconcile stopped after {cycle} cycles")
    return EXIT_OK
