"""Pure: whether the watch loop is alive (`/healthz`) and ready (`/readyz`).

The rules, in docs/running-on-a-schedule.md ("Health") word for word:

- **alive** unless a cycle has run longer than its budget (`timeouts.network` in
  tuneops.yaml, which bounds a cycle's network time, plus `GRACE`; with `--apply`
  also `timeouts.applyPhase` for each apply phase that calls the service, since
  those phases are bounded by the clock, not by network time), or the loop has
  slept more than `GRACE` past the time it meant to wake. A remote outage
  does not make the process unhealthy: restarting it would not bring the
  service back, and the loop backs off on its own.
- **ready** when the last cycle that ended succeeded (its listing answered, with
  the credentials in use) and ended no longer ago than the interval with its
  jitter (`interval × 1.1`) plus the cycle budget. Not ready before the first
  cycle ends, and at once when a cycle fails.

Times are monotonic seconds; the loop's clock is injected, so the rules are
tested without waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuneops.core.action import Phase
from tuneops.project.settings import PhaseTimeouts

GRACE = 60.0  # seconds of slack for a slow machine, a loaded node, a GC pause
JITTER = 1.1  # the watch loop sleeps interval × uniform(0.9, 1.1)


@dataclass(frozen=True, slots=True)
class HealthRules:
    """What the judgements depend on: the interval and a cycle's budget (seconds)."""

    interval: float
    cycle_budget: float

    @classmethod
    def for_loop(cls, interval: float, timeouts: PhaseTimeouts, applying: bool) -> HealthRules:
        """The rules of a loop with `interval` under tuneops.yaml's `timeouts`;
        `applying` (`--apply`) adds the apply phases that call the service."""
        remote_phases = sum(1 for phase in Phase if phase is not Phase.BOOKKEEPING)
        applied = timeouts.apply_phase * remote_phases if applying else 0.0
        return cls(interval=interval, cycle_budget=timeouts.network + applied + GRACE)

    @property
    def fresh_for(self) -> float:
        """How long a successful cycle keeps the loop ready."""
        return self.interval * JITTER + self.cycle_budget


@dataclass(frozen=True, slots=True)
class LoopState:
    """What the loop last said: a cycle running since, a sleep until, the last end."""

    cycle_started: float | None = None
    wake_at: float | None = None
    last_end: float | None = None
    last_ok: bool | None = None
    last_error: str | None = None
    cycles: int = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    """A judgement and why, as the endpoint's body says it."""

    ok: bool
    reason: str


def liveness(state: LoopState, rules: HealthRules, now: float) -> Verdict:
    """`/healthz`: the loop is not stuck (see the module docstring)."""
    if state.cycle_started is not None:
        running = now - state.cycle_started
        if running > rules.cycle_budget:
            return Verdict(
                False,
                f"cycle {state.cycles} has run {running:.0f} s, "
                f"past its budget of {rules.cycle_budget:.0f} s",
            )
        return Verdict(True, f"cycle {state.cycles} running for {running:.0f} s")
    if state.wake_at is not None:
        late = now - state.wake_at
        if late > GRACE:
            return Verdict(False, f"the loop overslept its next cycle by {late:.0f} s")
        return Verdict(True, f"sleeping; next cycle in {max(0.0, -late):.0f} s")
    return Verdict(True, "starting")


def readiness(state: LoopState, rules: HealthRules, now: float) -> Verdict:
    """`/readyz`: the last cycle succeeded, recently enough (see the module docstring)."""
    if state.last_end is None or state.last_ok is None:
        return Verdict(False, "no cycle has ended yet")
    if not state.last_ok:
        return Verdict(False, f"the last cycle failed: {state.last_error or 'unknown error'}")
    age = now - state.last_end
    if age > rules.fresh_for:
        return Verdict(
            False,
            f"the last successful cycle ended {age:.0f} s ago, more than {rules.fresh_for:.0f} s",
        )
    return Verdict(True, f"the last cycle succeeded {age:.0f} s ago")
