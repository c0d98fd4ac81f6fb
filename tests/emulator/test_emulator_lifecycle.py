"""The job timeline, read at different instants (pure, no server)."""

from __future__ import annotations

import pytest

from tuneops.emulator.lifecycle import Observation, Outcome, Phase, Timeline, observe, progress

S = 1_000_000  # one second in microseconds


@pytest.fixture
def timeline() -> Timeline:
    return Timeline.schedule(0, queue_seconds=2, job_seconds=30, fails=False)


@pytest.mark.parametrize(
    ("at", "phase", "start", "end", "update"),
    [
        (0, Phase.PENDING, None, None, 0),
        (2 * S - 1, Phase.PENDING, None, None, 0),
        (2 * S, Phase.RUNNING, 2 * S, None, 2 * S),
        (32 * S - 1, Phase.RUNNING, 2 * S, None, 2 * S),
        (32 * S, Phase.SUCCEEDED, 2 * S, 32 * S, 32 * S),
        (99 * S, Phase.SUCCEEDED, 2 * S, 32 * S, 32 * S),
    ],
)
def test_a_job_left_alone(
    timeline: Timeline, at: int, phase: Phase, start: int | None, end: int | None, update: int
) -> None:
    assert observe(timeline, at) == Observation(phase, start, end, update)


def test_a_failing_job_fails_at_its_end() -> None:
    failing = Timeline.schedule(0, 2, 30, fails=True)
    assert observe(failing, 32 * S).phase is Phase.FAILED
    assert progress(failing, 32 * S) == pytest.approx(0.999999)


def test_cancel_while_running(timeline: Timeline) -> None:
    cancelled = timeline.cancelled_at(10 * S, cancel_seconds=1)
    assert observe(cancelled, 9 * S).phase is Phase.RUNNING
    seen = observe(cancelled, 10 * S)
    assert (seen.phase, seen.start_us, seen.update_us) == (Phase.CANCELLING, 2 * S, 10 * S)
    seen = observe(cancelled, 11 * S)
    assert (seen.phase, seen.end_us, seen.update_us) == (Phase.CANCELLED, 11 * S, 11 * S)
    assert observe(cancelled, 50 * S).phase is Phase.CANCELLED  # the planned end never comes


def test_cancel_while_pending_never_starts(timeline: Timeline) -> None:
    cancelled = timeline.cancelled_at(1 * S, cancel_seconds=0)
    seen = observe(cancelled, 5 * S)
    assert (seen.phase, seen.start_us, seen.end_us) == (Phase.CANCELLED, None, 1 * S)


def test_forcing(timeline: Timeline) -> None:
    early = timeline.forced_at(1 * S, Outcome.SUCCEED)
    assert observe(early, 1 * S) == Observation(Phase.SUCCEEDED, 1 * S, 1 * S, 1 * S)
    stalled = timeline.forced_at(5 * S, Outcome.STALL)
    assert observe(stalled, 10_000 * S).phase is Phase.RUNNING
    assert observe(stalled, 10_000 * S).update_us == 5 * S
    assert progress(stalled, 10_000 * S) < 1.0
    failed = stalled.forced_at(20 * S, Outcome.FAIL)
    assert observe(failed, 20 * S).phase is Phase.FAILED


def test_progress(timeline: Timeline) -> None:
    assert progress(timeline, 1 * S) == 0.0
    assert progress(timeline, 17 * S) == pytest.approx(0.5)
    assert progress(timeline, 32 * S) == 1.0


def test_json_round_trip(timeline: Timeline) -> None:
    changed = timeline.cancelled_at(3 * S, 1).touched_at(4 * S)
    assert Timeline.from_json(changed.to_json()) == changed
