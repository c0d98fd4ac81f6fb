"""A job's life as a timeline of instants, and what it looks like at a given time.

Nothing moves a job forward in the background: its schedule is fixed when it is
created (and changed by cancel or force), and its state is read off the
timeline at the current virtual time. Both APIs share this model; Vertex names
the phases JOB_STATE_*, the Gemini API folds them into CREATING/ACTIVE/FAILED.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tuneops.emulator.clock import MICROS


class Phase(Enum):
    """Where a job is in its life."""

    PENDING = "JOB_STATE_PENDING"
    RUNNING = "JOB_STATE_RUNNING"
    CANCELLING = "JOB_STATE_CANCELLING"
    SUCCEEDED = "JOB_STATE_SUCCEEDED"
    FAILED = "JOB_STATE_FAILED"
    CANCELLED = "JOB_STATE_CANCELLED"

    @property
    def ended(self) -> bool:
        """True for the phases a job never leaves."""
        return self in (Phase.SUCCEEDED, Phase.FAILED, Phase.CANCELLED)


class Outcome(Enum):
    """What the control API can force a job to do."""

    SUCCEED = "succeed"
    FAIL = "fail"
    STALL = "stall"


@dataclass(frozen=True, slots=True)
class Timeline:
    """The instants (microseconds, virtual time) at which a job changes.

    `end_us` None means the job is stalled: it keeps running until forced.
    `duration_us` is the nominal running time, used for progress while running.
    """

    create_us: int
    start_us: int
    end_us: int | None
    duration_us: int
    fails: bool
    cancel_us: int | None = None
    cancelled_us: int | None = None
    changes: tuple[int, ...] = ()

    @classmethod
    def schedule(
        cls, now_us: int, queue_seconds: float, job_seconds: float, fails: bool
    ) -> Timeline:
        """The timeline of a job created at `now_us`."""
        start = now_us + round(queue_seconds * MICROS)
        duration = round(job_seconds * MICROS)
        return cls(now_us, start, start + duration, duration, fails)

    def cancelled_at(self, now_us: int, cancel_seconds: float) -> Timeline:
        """The timeline after a cancel request at `now_us`."""
        done = now_us + round(cancel_seconds * MICROS)
        return dataclasses.replace(self, cancel_us=now_us, cancelled_us=done)

    def forced_at(self, now_us: int, outcome: Outcome) -> Timeline:
        """The timeline after the control API forces `outcome` at `now_us`."""
        start = min(self.start_us, now_us)
        changes = (*self.changes, now_us)
        if outcome is Outcome.STALL:
            return dataclasses.replace(self, start_us=start, end_us=None, changes=changes)
        fails = outcome is Outcome.FAIL
        return dataclasses.replace(
            self, start_us=start, end_us=now_us, fails=fails, changes=changes
        )

    def touched_at(self, now_us: int) -> Timeline:
        """The timeline after an edit that changes the resource (a patch)."""
        return dataclasses.replace(self, changes=(*self.changes, now_us))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict for the store."""
        data = dataclasses.asdict(self)
        data["changes"] = list(self.changes)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Timeline:
        """The inverse of `to_json`."""
        return cls(**{**data, "changes": tuple(data.get("changes", ()))})


@dataclass(frozen=True, slots=True)
class Observation:
    """A job as seen at one instant."""

    phase: Phase
    start_us: int | None  # when it began RUNNING, if it did
    end_us: int | None  # when it ended, if it did
    update_us: int  # the latest change at or before the instant

    @property
    def started(self) -> bool:
        """True once the job has run."""
        return self.start_us is not None


def observe(timeline: Timeline, now_us: int) -> Observation:
    """The phase and timestamps of a job at `now_us`."""
    t = timeline
    events = [t.create_us, *(c for c in t.changes if c <= now_us)]
    if t.cancel_us is not None and t.cancel_us <= now_us:
        # A job cancelled while pending never starts; one cancelled while running did.
        start = t.start_us if t.start_us <= t.cancel_us else None
        events += [t.cancel_us] + ([start] if start is not None else [])
        done = t.cancelled_us if t.cancelled_us is not None else t.cancel_us
        if now_us >= done:
            return Observation(Phase.CANCELLED, start, done, max(*events, done))
        return Observation(Phase.CANCELLING, start, None, max(events))
    if now_us < t.start_us:
        return Observation(Phase.PENDING, None, None, max(events))
    events.append(t.start_us)
    if t.end_us is None or now_us < t.end_us:
        return Observation(Phase.RUNNING, t.start_us, None, max(events))
    phase = Phase.FAILED if t.fails else Phase.SUCCEEDED
    return Observation(phase, t.start_us, t.end_us, max(*events, t.end_us))


def progress(timeline: Timeline, now_us: int) -> float:
    """The share of the training done at `now_us`, from 0.0 to 1.0.

    A job that succeeded is complete; a running, stalled or failed one advances
    with its nominal duration and stops just short of the end.
    """
    seen = observe(timeline, now_us)
    if seen.start_us is None:
        return 0.0
    if seen.phase is Phase.SUCCEEDED:
        return 1.0
    until = seen.end_us if seen.end_us is not None else now_us
    if timeline.duration_us <= 0:
        return 0.0
    return min((until - seen.start_us) / timeline.duration_us, 0.999999)
