"""`reconcile --watch` with its service around it: the loop (runtime.reconciling)
told to a watcher, which judges its health and, with a metrics port, serves it.

The command stays thin: it hands over how to run one cycle, and this module
runs them until stopped, logging each one with its number and duration.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from tuneops.backends.transport.clock import Clock, SystemClock

__all__ = ["Clock", "RunCycle", "run_watched"]
from tuneops.console import Console
from tuneops.errors import TuneopsError
from tuneops.project.settings import PhaseTimeouts
from tuneops.render.wording import word
from tuneops.runtime.reconciling import Cycle, watch_loop
from tuneops.service.health import HealthRules
from tuneops.service.listen import Listen
from tuneops.service.snapshot import cost_applied, snapshot_of
from tuneops.service.watcher import Watcher, watching

RunCycle = Callable[[bool], Cycle]  # run one cycle; True: list again for the metrics


def run_watched(
    run: RunCycle,
    interval: float,
    timeouts: PhaseTimeouts,
    applying: bool,
    console: Console,
    listen: Listen | None = None,
    clock: Clock | None = None,
    stop: threading.Event | None = None,
    rng: random.Random | None = None,
) -> int:
    """Runs cycles every `interval` until stopped; returns how many ran. `timeouts`
    (tuneops.yaml) and `applying` (--apply) set the health rules; with `listen`,
    serves /metrics, /healthz and /readyz there, and logs where. `clock`, `stop`
    and `rng` make it testable."""
    clock = clock or SystemClock()
    rules = HealthRules.for_loop(interval, timeouts, applying=applying)
    with watching(rules, clock, listen) as (watcher, bound):
        if bound is not None:
            host, port = bound
            shown = f"[{host}]" if ":" in host else host
            where = f"http://{shown}:{port}"
            text = f"serving /metrics, /healthz and /readyz on {where}"
            console.log("info", "service.listening", text, port=port)
        started = [0.0]

        def cycle(number: int) -> Cycle:
            watcher.cycle_started()
            started[0] = clock.monotonic()
            done = run(listen is not None)
            _cycle_done(watcher, done, console.scrub)
            text = (
                f"reconcile cycle {number}: {len(done.ran.actions)} recorded, "
                f"{done.waiting} changes waiting, {len(done.drift)} drift"
            )
            console.log("info", "reconcile.cycle", text, cycle=number, duration=took())
            return done

        def failed(number: int, error: TuneopsError, delay: float) -> None:
            watcher.cycle_failed(console.scrub(str(error)))
            text = f"reconcile cycle {number} failed: {error}; next try in {delay:.0f}s"
            console.log("error", "reconcile.cycle_failed", text, cycle=number, duration=took())

        def took() -> float:
            return round(clock.monotonic() - started[0], 3)

        return watch_loop(
            cycle, interval, on_failure=failed, on_sleep=watcher.sleeping, stop=stop, rng=rng
        )


def _cycle_done(watcher: Watcher, done: Cycle, scrub: Callable[[str], str]) -> None:
    """Tells the watcher how a cycle that raised nothing went: a cycle whose apply
    failed counts as failed (the loop goes on at its interval all the same)."""
    failed = [o for o in done.outcomes if not o.ok]
    if failed:
        first = scrub(word(failed[0].detail))
        watcher.cycle_failed(f"{len(failed)} actions failed, the first: {first}")
        return
    snapshot = snapshot_of(done.specs, done.plan, done.drift, done.jobs, done.outcomes)
    watcher.cycle_succeeded(snapshot, cost_applied(done.outcomes))
