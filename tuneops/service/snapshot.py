"""Pure: what one reconcile cycle saw, as the numbers the metrics show.

A snapshot replaces the previous one whole, so a scrape never sees half of a
cycle. Labels are bounded: a spec name (the stack's specs, and the names its
own labelled jobs carry), a job state, a sync status, a notice code; never a
job id (docs/running-on-a-schedule.md, "Label cardinality").
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from tuneops.core.action import CHANGES
from tuneops.core.drift import Drift
from tuneops.core.jobs import RemoteJob
from tuneops.core.plan import Plan
from tuneops.runtime.applier import Outcome
from tuneops.specs.kinds import JobState
from tuneops.specs.models import JobSpec


class SpecSync(str, enum.Enum):
    """A spec's standing after a cycle, worst first: the first that applies wins."""

    BLOCKED = "blocked"  # a guard stops the plan's action for it
    DRIFTED = "drifted"  # something changed behind tuneops' back (core.drift)
    OUT_OF_SYNC = "out_of_sync"  # apply has something to do for it
    IN_SYNC = "in_sync"  # nothing to do, nothing drifted


@dataclass(frozen=True, slots=True)
class NoticeKey:
    """Which model notice: the spec, its code and what it is about."""

    spec: str
    code: str
    subject: str


@dataclass(frozen=True, slots=True)
class CycleSnapshot:
    """The gauges of one cycle."""

    jobs: Mapping[tuple[str, str], int] = field(default_factory=lambda: MappingProxyType({}))
    specs: Mapping[str, SpecSync] = field(default_factory=lambda: MappingProxyType({}))
    queued: int = 0
    live_endpoints: int = 0
    notices: Mapping[NoticeKey, dt.date | None] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def sync_counts(self) -> dict[SpecSync, int]:
        """Specs per standing, every standing present (0 when none)."""
        counted = Counter(self.specs.values())
        return {status: counted.get(status, 0) for status in SpecSync}


def jobs_by_spec_and_state(jobs: Iterable[RemoteJob]) -> dict[tuple[str, str], int]:
    """The stack's jobs counted per (spec name, state)."""
    return dict(Counter((job.spec_name or "", job.state.value) for job in jobs if job.spec_name))


def live_endpoints(jobs: Iterable[RemoteJob]) -> int:
    """Succeeded jobs of the stack whose tuned model has an endpoint."""
    return sum(1 for job in jobs if job.state is JobState.SUCCEEDED and job.endpoint)


def spec_standing(
    specs: Sequence[JobSpec],
    plan: Plan,
    drift: Sequence[Drift],
    outcomes: Iterable[Outcome] = (),
) -> dict[str, SpecSync]:
    """Each spec's standing; a name that only drift or the plan knows (a removed
    spec still cancelling, a stray job) is listed too, so nothing hides. A change
    the cycle applied (an ok outcome) is no longer waiting."""
    done = {o.action for o in outcomes if o.ok and not o.queued}
    waiting = [a for a in plan.actions if a.kind in CHANGES and a not in done]
    names = {spec.name for spec in specs} | {d.name for d in drift} | {a.name for a in waiting}
    blocked = {a.name for a in plan.blocked}
    drifted = {d.name for d in drift}
    changing = {a.name for a in waiting}
    standing: dict[str, SpecSync] = {}
    for name in sorted(names):
        if name in blocked:
            standing[name] = SpecSync.BLOCKED
        elif name in drifted:
            standing[name] = SpecSync.DRIFTED
        elif name in changing:
            standing[name] = SpecSync.OUT_OF_SYNC
        else:
            standing[name] = SpecSync.IN_SYNC
    return standing


def snapshot_of(
    specs: Sequence[JobSpec],
    plan: Plan,
    drift: Sequence[Drift],
    jobs: Sequence[RemoteJob],
    outcomes: Sequence[Outcome] = (),
) -> CycleSnapshot:
    """The gauges of a cycle: `jobs` as listed (after the cycle's apply when it
    applied anything), the plan and drift as computed before it, less the changes
    its `outcomes` say were applied."""
    notices: dict[NoticeKey, dt.date | None] = {}
    for notice in plan.model_notices:
        key = NoticeKey(notice.spec, notice.code.value, notice.subject.value)
        earlier = notices.get(key)
        notices[key] = notice.day if earlier is None else min(earlier, notice.day or earlier)
    return CycleSnapshot(
        jobs=MappingProxyType(jobs_by_spec_and_state(jobs)),
        specs=MappingProxyType(spec_standing(specs, plan, drift, outcomes)),
        queued=sum(1 for action in plan.actions if action.queued is not None),
        live_endpoints=live_endpoints(jobs),
        notices=MappingProxyType(notices),
    )


def cost_applied(outcomes: Iterable[Outcome]) -> dict[str, float]:
    """The estimated cost of the jobs a cycle started, per currency (unpriced ones
    and starts that were queued count nothing)."""
    total: dict[str, float] = {}
    for outcome in outcomes:
        action = outcome.action
        if not outcome.ok or outcome.queued or not action.kind.creates_job:
            continue
        if action.cost is not None and action.cost.amount is not None:
            currency = action.cost.currency
            total[currency] = total.get(currency, 0.0) + action.cost.amount
    return total
