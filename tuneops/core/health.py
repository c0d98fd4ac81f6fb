"""Where each spec stands: sync and health kept apart, as Argo CD does. Pure.

Sync compares the specs with the jobs (does apply have anything to do?);
health describes the jobs themselves:

- `progressing`: a revision is queued or running, or a job waits in tuneops'
  queue for a free slot (`vertex.maxConcurrentJobs`, a service quota);
- `healthy`: the newest revision succeeded (its endpoint serves);
- `degraded`: the newest revision failed or was cancelled outside tuneops, or
  failed its smoke test;
- `suspended`: nothing runs or serves: the spec was never applied, or its job
  was cancelled (a removed spec) or is being cancelled.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from tuneops.core.cost.pricing import offline_tokens
from tuneops.core.jobs import RemoteJob, by_age
from tuneops.core.plan import Action, ActionKind, Plan
from tuneops.lockfile.file import Lockfile, Queued, QueueReason, Revision
from tuneops.specs.kinds import JobState
from tuneops.specs.models import JobSpec


class Sync(str, enum.Enum):
    """Whether apply has anything to do for a spec."""

    IN_SYNC = "in sync"
    OUT_OF_SYNC = "out of sync"
    MISSING = "missing"


class Health(str, enum.Enum):
    """What the spec's jobs are doing."""

    PROGRESSING = "progressing"
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class SpecStatus:
    """One row of `tuneops status`."""

    name: str
    sync: Sync
    health: Health
    active_state: str | None
    pending_state: str | None
    elapsed: dt.timedelta | None
    progress: str | None
    endpoint: str | None
    error: str | None
    job: str | None
    model: str | None = None
    newest: RemoteJob | None = None
    estimated_tokens: int | None = None
    queued: Queued | None = None
    # The lockfile's records of the revisions: checkpoints, scores, gate (issue 19).
    active_revision: Revision | None = None
    pending_revision: Revision | None = None

    @property
    def error_code(self) -> int | None:
        """The service's error code of the newest revision, when it shows an error."""
        return self.newest.error_code if self.newest and self.error else None


def _elapsed(job: RemoteJob, now: dt.datetime) -> dt.timedelta | None:
    start = job.start_time or job.create_time
    if start is None:
        return None
    end = job.end_time if job.state.has_ended and job.end_time else now
    return max(end - start, dt.timedelta(0))


def _progress(job: RemoteJob) -> str:
    if job.progress is not None and job.state.is_live:
        return f"{job.progress:.0f}%"
    return job.state.value


def _health(newest: RemoteJob | None, spec_exists: bool, smoke_failed: bool) -> Health:
    if newest is None:
        return Health.SUSPENDED
    if newest.state.in_flight:
        return Health.PROGRESSING
    if newest.state is JobState.SUCCEEDED:
        return Health.DEGRADED if smoke_failed else Health.HEALTHY
    if not spec_exists or newest.state is JobState.CANCELLING:
        return Health.SUSPENDED
    return Health.DEGRADED


def spec_statuses(
    specs: Sequence[JobSpec],
    lockfile: Lockfile,
    jobs: Sequence[RemoteJob],
    plan: Plan,
    now: dt.datetime,
) -> tuple[SpecStatus, ...]:
    """A row per spec name known to the specs, the lockfile or the remote jobs."""
    by_spec = {s.name: s for s in specs}
    # Ended jobs of a removed and forgotten spec are history, not status.
    live = {j.spec_name for j in jobs if j.spec_name and j.state.is_live}
    names = sorted(set(by_spec) | set(lockfile.entries) | live)
    acting = {a.name: a for a in plan.actions}
    rows = []
    for name in names:
        entry = lockfile.entries.get(name)
        own = sorted((j for j in jobs if j.spec_name == name), key=by_age)
        newest = own[-1] if own else None
        action = acting.get(name)
        if action is None:
            sync = Sync.IN_SYNC if own or name not in by_spec else Sync.MISSING
        elif action.kind is ActionKind.CREATE and not own:
            sync = Sync.MISSING
        else:
            sync = Sync.OUT_OF_SYNC
        held = entry.pending if entry else None
        smoke_failed = bool(
            held and (held.smoke_test == "failed" or (held.gate or {}).get("result") == "failed")
        )
        queued = _queued(entry.queued if entry else None, action, by_spec.get(name))
        by_name = {j.name: j for j in own}
        active = by_name.get(entry.active.job) if entry and entry.active else None
        pending = by_name.get(entry.pending.job) if entry and entry.pending else None
        endpoint = (active.endpoint if active else None) or (
            entry.active.endpoint if entry and entry.active else None
        )
        if entry and entry.active and entry.active.checkpoint is not None:
            endpoint = entry.active.endpoint  # spec.serve chose a checkpoint's endpoint
        model = (active.model if active else None) or (
            entry.active.model if entry and entry.active else None
        )
        rows.append(
            SpecStatus(
                name=name,
                sync=sync,
                health=Health.PROGRESSING
                if queued is not None and newest is None
                else _health(newest, name in by_spec, smoke_failed),
                active_state=(active.state.value if active else None)
                or (entry.active.state.value if entry and entry.active else None),
                pending_state=(pending.state.value if pending else None)
                or (entry.pending.state.value if entry and entry.pending else None),
                elapsed=_elapsed(newest, now) if newest else None,
                progress=_progress(newest) if newest else None,
                endpoint=endpoint,
                error=newest.error_message
                if newest and newest.state in (JobState.FAILED, JobState.CANCELLED)
                else None,
                job=newest.name if newest else None,
                model=model,
                newest=newest,
                estimated_tokens=_estimated_tokens(by_spec.get(name)),
                queued=queued,
                active_revision=entry.active if entry else None,
                pending_revision=entry.pending if entry else None,
            )
        )
    return tuple(rows)


def _queued(recorded: Queued | None, action: Action | None, spec: JobSpec | None) -> Queued | None:
    """The spec's place in the queue: as the lockfile records it for the current spec,
    else as the plan would record it (ticket 0: not recorded yet)."""
    if recorded is not None and spec is not None and recorded.spec_hash == spec.spec_hash:
        return recorded
    if action is not None and action.queued is not None and spec is not None:
        ticket = recorded.ticket if recorded is not None else 0
        return Queued(spec.spec_hash, ticket, action.queued.reason)
    if recorded is not None and recorded.reason is QueueReason.QUOTA and spec is not None:
        return recorded  # an older revision refused; the plan tries it again
    return None


def _estimated_tokens(spec: JobSpec | None) -> int | None:
    """Tokens of one pass over the spec's training data, by the offline estimate."""
    counted = offline_tokens(spec) if spec is not None else None
    return counted.tokens if counted is not None else None
