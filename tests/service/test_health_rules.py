"""The liveness and readiness rules, as pure functions of the loop's state and the time."""

from __future__ import annotations

import pytest

from tuneops.project.settings import PhaseTimeouts
from tuneops.service.health import (
    GRACE,
    HealthRules,
    LoopState,
    liveness,
    readiness,
)

RULES = HealthRules.for_loop(300.0, PhaseTimeouts(), applying=False)  # budget 180 s


def test_the_rules_follow_the_interval_and_the_network_budget() -> None:
    assert RULES.cycle_budget == 120.0 + GRACE
    assert RULES.fresh_for == pytest.approx(300.0 * 1.1 + 180.0)


def test_an_applying_loop_also_has_its_cancel_and_create_phases() -> None:
    timeouts = PhaseTimeouts(network=30.0, apply_phase=600.0)
    rules = HealthRules.for_loop(60.0, timeouts, applying=True)
    assert rules.cycle_budget == 30.0 + 2 * 600.0 + GRACE


@pytest.mark.parametrize(
    ("state", "now", "ok", "reason"),
    [
        (LoopState(), 0.0, True, "starting"),
        (LoopState(cycle_started=100.0, cycles=1), 280.0, True, "cycle 1 running for 180 s"),
        (
            LoopState(cycle_started=100.0, cycles=2),
            281.0,
            False,
            "cycle 2 has run 181 s, past its budget of 180 s",
        ),
        (LoopState(wake_at=500.0), 400.0, True, "sleeping; next cycle in 100 s"),
        (LoopState(wake_at=500.0), 560.0, True, "sleeping; next cycle in 0 s"),
        (LoopState(wake_at=500.0), 561.0, False, "the loop overslept its next cycle by 61 s"),
        # A failed cycle does not make the loop dead: it backs off and tries again.
        (
            LoopState(wake_at=500.0, last_ok=False, last_end=10.0),
            400.0,
            True,
            "sleeping; next cycle in 100 s",
        ),
    ],
)
def test_liveness(state: LoopState, now: float, ok: bool, reason: str) -> None:
    verdict = liveness(state, RULES, now)
    assert (verdict.ok, verdict.reason) == (ok, reason)


@pytest.mark.parametrize(
    ("state", "now", "ok", "reason"),
    [
        (LoopState(), 0.0, False, "no cycle has ended yet"),
        (LoopState(cycle_started=5.0, cycles=1), 10.0, False, "no cycle has ended yet"),
        (LoopState(last_end=100.0, last_ok=True), 100.0, True, "the last cycle succeeded 0 s ago"),
        (
            LoopState(last_end=100.0, last_ok=True),
            610.0,
            True,
            "the last cycle succeeded 510 s ago",
        ),
        (
            LoopState(last_end=100.0, last_ok=True),
            611.0,
            False,
            "the last successful cycle ended 511 s ago, more than 510 s",
        ),
        (
            LoopState(last_end=100.0, last_ok=False, last_error="HTTP 403: denied"),
            101.0,
            False,
            "the last cycle failed: HTTP 403: denied",
        ),
        # A cycle running after a success keeps the loop ready while it is fresh.
        (
            LoopState(cycle_started=400.0, last_end=100.0, last_ok=True),
            420.0,
            True,
            "the last cycle succeeded 320 s ago",
        ),
    ],
)
def test_readiness(state: LoopState, now: float, ok: bool, reason: str) -> None:
    verdict = readiness(state, RULES, now)
    assert (verdict.ok, verdict.reason) == (ok, reason)
