"""Reconciling (`tuneops reconcile`): one cycle, and the watch loop that repeats it.

A cycle refreshes states, promotes succeeded revisions, adopts what the
lockfile missed and rebuilds a missing or broken lockfile (written only when
asked to), but never creates or cancels a job unless asked to apply, which runs
the same applier as `tuneops apply --auto-approve`, every guard included.
"""

from __future__ import annotations

import random
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from tuneops.core.drift import Drift, find_drift
from tuneops.core.jobs import RemoteJob
from tuneops.core.plan import BOOKKEEPING, CHANGES, Plan
from tuneops.errors import LockfileError, TuneopsError
from tuneops.project.file import Project
from tuneops.runtime.applier import Applier, Outcome
from tuneops.runtime.inputs import (
    PlanFlags,
    compute_plan,
    gather,
    load_local,
    observe,
    plan_options,
)
from tuneops.runtime.shared_state import DEFAULT_LOCK_TIMEOUT, locked_session
from tuneops.specs.models import JobSpec

MAX_BACKOFF_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class Cycle:
    """What one reconcile cycle found and did.

    `plan`: everything the specs ask for; `ran`: the part that was run (the
    bookkeeping, or with apply the whole plan unless guards blocked it);
    `wrote`: whether the lockfile was written at all (--write-lock or --apply).
    `specs` and `jobs`: what the cycle read; `jobs` listed again after an apply
    that started or cancelled jobs when the cycle was `observed` (the metrics).
    """

    plan: Plan
    drift: tuple[Drift, ...]
    ran: Plan
    outcomes: tuple[Outcome, ...]
    applying: bool
    wrote: bool
    blocked: bool
    specs: tuple[JobSpec, ...] = ()
    jobs: tuple[RemoteJob, ...] = ()

    @property
    def failed(self) -> bool:
        """Some action that ran failed (a revision a promotion gate held back did not)."""
        return any(not o.ok and not o.attention for o in self.outcomes)

    @property
    def held(self) -> bool:
        """A promotion gate held a finished revision back: the cycle needs attention."""
        return any(o.attention for o in self.outcomes)

    @property
    def shown(self) -> Plan:
        """What a view shows as this cycle's plan: with apply, the changes were applied."""
        return self.plan.only(BOOKKEEPING) if self.applying else self.plan

    @property
    def waiting(self) -> int:
        """Changes left for `tuneops apply`."""
        return 0 if self.applying else len(self.plan.only(CHANGES).actions)


def reconcile_cycle(
    project: Project,
    *,
    write_lock: bool,
    apply: bool,
    flags: PlanFlags,
    on_broken_lockfile: Callable[[LockfileError], None],
    observed: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> Cycle:
    """One cycle: list, plan, record the bookkeeping (or apply), find drift.

    A broken lockfile is reported to `on_broken_lockfile` and rebuilt from the
    remote labels. An `observed` cycle lists the jobs again after applying
    changes, so that what it reports (the metrics) includes them. A cycle that
    writes holds the shared lock (`state:`), waiting up to `lock_timeout` seconds
    (whom it waits for is logged); a read-only cycle blocks nobody.
    """
    outcomes: tuple[Outcome, ...] = ()
    operation = "reconcile --apply" if apply else "reconcile --write-lock"
    # Only a cycle that writes takes the shared lock: a read-only one blocks nobody.
    shared = write_lock or apply
    with locked_session(project, operation, lock_timeout, shared=shared) as session:
        local = load_local(project, on_broken_lockfile=on_broken_lockfile)
        inputs = gather(project, session, local)
        plan = compute_plan(inputs, plan_options(project, flags))
        drift = find_drift(inputs.specs, inputs.lockfile, inputs.remote or ())
        blocked = apply and bool(plan.blocked)
        ran = plan if apply and not blocked else plan.only(BOOKKEEPING)
        if write_lock or apply:
            outcomes = Applier.for_inputs(session, inputs).run(ran)
        jobs = tuple(inputs.remote or ())
        if observed and any(o.ok and o.action.kind in CHANGES for o in outcomes):
            jobs = observe(session, inputs.specs, inputs.lockfile)
    wrote = write_lock or apply
    return Cycle(plan, drift, ran, outcomes, apply, wrote, blocked, tuple(inputs.specs), jobs)


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


def watch_loop(
    run_cycle: Callable[[int], object],
    interval: float,
    *,
    on_failure: Callable[[int, TuneopsError, float], None],
    on_sleep: Callable[[float], None] | None = None,
    stop: threading.Event | None = None,
    rng: random.Random | None = None,
) -> int:
    """Runs `run_cycle(n)` every `interval` seconds (±10% jitter) until `stop` is set
    or SIGINT/SIGTERM arrives; returns how many cycles ran.

    A cycle that fails (remote trouble) is reported to `on_failure(n, error,
    delay)` and the next one waits twice as long each time, up to
    MAX_BACKOFF_SECONDS (or `interval` when that is longer); a good cycle
    returns to `interval`. `on_sleep(seconds)` hears each pause before it starts
    (the health endpoints judge an oversleeping loop by it).
    """
    stop = stop or threading.Event()
    rng = rng or random.Random()
    failures = 0
    cycle = 0
    with _stop_on_signals(stop):
        while not stop.is_set():
            cycle += 1
            try:
                run_cycle(cycle)
                failures = 0
                delay = interval
            except TuneopsError as error:  # remote trouble: keep watching, back off
                failures += 1
                delay = min(interval * 2**failures, max(interval, MAX_BACKOFF_SECONDS))
                on_failure(cycle, error, delay)
            pause = delay * rng.uniform(0.9, 1.1)
            if on_sleep is not None:
                on_sleep(pause)
            stop.wait(pause)
    return cycle
