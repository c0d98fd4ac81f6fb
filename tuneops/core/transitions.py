"""How remote facts change the lockfile. Pure functions of (lockfile, facts) → lockfile.

Two kinds of facts: what the listing shows of jobs the lockfile already names
(`refresh`: state, model and endpoint on real transitions), and what one applied
action did (`record_*`). `active` only ever holds a revision that succeeded;
every new job starts as `pending` and is promoted when it succeeds, so a replaced
spec keeps serving its old endpoint until the new one is ready (blue/green).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from tuneops.core.evaluation import Checkpoint, CheckpointScores
from tuneops.core.jobs import RemoteJob
from tuneops.lockfile.file import LockEntry, Lockfile, Queued, QueueReason, Revision
from tuneops.specs.hashing import spec_snapshot
from tuneops.specs.kinds import JobState
from tuneops.specs.models import JobSpec, VertexSpec


def _place(spec: JobSpec) -> tuple[str | None, str | None]:
    if isinstance(spec.spec, VertexSpec):
        return spec.spec.project, spec.spec.location
    return None, None


def new_revision(spec: JobSpec, job: RemoteJob) -> Revision:
    """The revision of a job created (or found) for `spec`."""
    return Revision(
        job=job.name,
        spec_hash=spec.spec_hash,
        state=job.state,
        model=job.model,
        endpoint=job.endpoint,
        spec=spec_snapshot(spec.canonical),
        checkpoints=checkpoint_records(job.checkpoints),
        evaluation=evaluation_record(job.evaluation),
    )


# The key of scores the service reported without naming a checkpoint.
NO_CHECKPOINT = "-"


def checkpoint_records(checkpoints: tuple[Checkpoint, ...]) -> tuple[dict[str, object], ...]:
    """The lockfile's record of a job's checkpoints."""
    records = []
    for checkpoint in checkpoints:
        record: dict[str, object] = {"id": checkpoint.checkpoint_id}
        for key, value in (
            ("epoch", checkpoint.epoch),
            ("step", checkpoint.step),
            ("endpoint", checkpoint.endpoint),
        ):
            if value is not None:
                record[key] = value
        records.append(record)
    return tuple(records)


def evaluation_record(
    evaluation: tuple[CheckpointScores, ...],
) -> dict[str, dict[str, float]] | None:
    """The lockfile's record of a job's evaluation scores (None when it has none)."""
    if not evaluation:
        return None
    return {
        scores.checkpoint_id or NO_CHECKPOINT: dict(sorted(scores.scores.items()))
        for scores in evaluation
    }


def _entry_for(lockfile: Lockfile, spec: JobSpec) -> LockEntry:
    """The spec's entry, created or brought up to date with the spec's hash and protection."""
    project, location = _place(spec)
    current = lockfile.entries.get(spec.name)
    if current is None:
        return LockEntry(spec.backend, spec.spec_hash, spec.protect, project, location)
    return replace(
        current,
        backend=spec.backend,
        spec_hash=spec.spec_hash,
        protect=spec.protect,
        project=project,
        location=location,
    )


def _refreshed(revision: Revision, job: RemoteJob) -> Revision:
    return replace(
        revision,
        state=job.state,
        model=job.model or revision.model,
        # A revision serving a chosen checkpoint keeps that checkpoint's endpoint.
        endpoint=revision.endpoint
        if revision.checkpoint is not None
        else job.endpoint or revision.endpoint,
        checkpoints=checkpoint_records(job.checkpoints) or revision.checkpoints,
        evaluation=evaluation_record(job.evaluation) or revision.evaluation,
    )


def refresh(lockfile: Lockfile, jobs: Iterable[RemoteJob]) -> Lockfile:
    """Brings the recorded revisions up to date with the listed jobs."""
    by_name = {job.name: job for job in jobs}
    entries = {}
    for name, entry in lockfile.entries.items():
        active, pending = entry.active, entry.pending
        if active is not None and active.job in by_name:
            active = _refreshed(active, by_name[active.job])
        if pending is not None and pending.job in by_name:
            pending = _refreshed(pending, by_name[pending.job])
        entries[name] = replace(entry, active=active, pending=pending)
    return replace(lockfile, entries=entries)


def record_started(lockfile: Lockfile, spec: JobSpec, job: RemoteJob) -> Lockfile:
    """A new job (create, replace, retry) runs for `spec`: it is the pending revision.

    A pending revision that succeeded but was never promoted (its spec changed
    again first) is newer than the active one, so it becomes active rather than
    being dropped: active is always the newest revision that succeeded.
    """
    entry = _entry_for(lockfile, spec)
    displaced = entry.pending
    if displaced is not None and displaced.state is JobState.SUCCEEDED:
        entry = replace(entry, active=displaced)
    entry = replace(entry, pending=new_revision(spec, job), queued=None)
    return lockfile.with_entry(spec.name, entry)


def record_queued(lockfile: Lockfile, spec: JobSpec, reason: QueueReason) -> Lockfile:
    """The job `spec` needs waits for a free slot: the entry records it as queued.

    The entry's revisions and hash stay as they are (nothing new runs); a spec
    already queued keeps its ticket, so changing it does not send it to the back.
    Queueing it again for the same spec and reason changes nothing.
    """
    current = lockfile.entries.get(spec.name)
    if current is None:
        project, location = _place(spec)
        current = LockEntry(spec.backend, spec.spec_hash, spec.protect, project, location)
    ticket = current.queued.ticket if current.queued else lockfile.next_ticket()
    queued = Queued(spec.spec_hash, ticket, reason)
    return lockfile.with_entry(spec.name, replace(current, queued=queued))


def record_dequeued(lockfile: Lockfile, name: str) -> Lockfile:
    """No job needs to start for the spec any more: its queued record goes."""
    entry = lockfile.entries.get(name)
    if entry is None or entry.queued is None:
        return lockfile
    return lockfile.with_entry(name, replace(entry, queued=None))


def _found_revision(spec: JobSpec, job: RemoteJob) -> Revision:
    """A found job's revision; one of an earlier spec keeps the hash its labels carry."""
    if job.spec_hash is None or spec.spec_hash.startswith(job.spec_hash):
        return new_revision(spec, job)
    return Revision(
        job=job.name,
        spec_hash=job.spec_hash,
        state=job.state,
        model=job.model,
        endpoint=job.endpoint,
    )


def record_found(lockfile: Lockfile, spec: JobSpec, job: RemoteJob) -> Lockfile:
    """An existing job of `spec` is adopted.

    The current spec's job is active when it succeeded (nothing is pending then),
    else pending. A succeeded job of an earlier spec (found when the lockfile was
    lost) is active only while nothing else is: it keeps serving until the current
    revision succeeds, as it would have had the lockfile survived.
    """
    entry = _entry_for(lockfile, spec)
    revision = _found_revision(spec, job)
    if revision.spec_hash != spec.spec_hash:
        if entry.active is None and job.state is JobState.SUCCEEDED:
            entry = replace(entry, active=revision)
    elif job.state is JobState.SUCCEEDED:
        entry = replace(entry, active=revision, pending=None, queued=None)
    else:
        entry = replace(entry, pending=revision, queued=None)
    return lockfile.with_entry(spec.name, entry)


def record_promoted(
    lockfile: Lockfile, spec: JobSpec, job: RemoteJob, smoke_test: str | None = None
) -> Lockfile:
    """The pending revision succeeded (and passed its smoke test): it becomes active."""
    entry = _entry_for(lockfile, spec)
    pending = entry.pending if entry.pending and entry.pending.job == job.name else None
    revision = _refreshed(pending, job) if pending else new_revision(spec, job)
    revision = replace(revision, smoke_test=smoke_test)
    return lockfile.with_entry(spec.name, replace(entry, active=revision, pending=None))


def record_judged(
    lockfile: Lockfile,
    spec: JobSpec,
    job: RemoteJob,
    serving: tuple[str | None, str | None],
    gate: dict[str, object] | None,
    smoke_test: str | None = None,
) -> Lockfile:
    """The promotion gate judged the pending revision (issue 19).

    `serving` is (checkpoint, endpoint) as `spec.serve` chose; `gate` the gate's
    record. A passed gate (or none) makes the revision active, serving that
    endpoint; a failed one leaves it pending with the record of why, and the
    active revision keeps serving.
    """
    entry = _entry_for(lockfile, spec)
    pending = entry.pending if entry.pending and entry.pending.job == job.name else None
    revision = _refreshed(pending, job) if pending else new_revision(spec, job)
    checkpoint, endpoint = serving
    revision = replace(
        revision,
        checkpoint=checkpoint,
        endpoint=endpoint if checkpoint is not None else revision.endpoint,
        gate=gate,
        smoke_test=smoke_test,
    )
    if gate is not None and gate.get("result") == "failed":
        return lockfile.with_entry(spec.name, replace(entry, pending=revision))
    return lockfile.with_entry(spec.name, replace(entry, active=revision, pending=None))


def record_promoted_by_hand(lockfile: Lockfile, name: str, revision: Revision) -> Lockfile:
    """`tuneops promote`: `revision` of spec `name` becomes active, recorded as manual;
    the revision it displaces is dropped from the record (its job is untouched)."""
    entry = lockfile.entries[name]
    promoted = replace(revision, promoted_by="manual")
    if promoted.gate is not None and promoted.gate.get("result") != "passed":
        promoted = replace(promoted, gate={**promoted.gate, "result": "overridden"})
    pending = None if entry.pending is None or entry.pending.job == revision.job else entry.pending
    return lockfile.with_entry(name, replace(entry, active=promoted, pending=pending))


def record_smoke_failed(lockfile: Lockfile, spec: JobSpec, job: RemoteJob) -> Lockfile:
    """The pending revision succeeded but failed its smoke test: it stays pending."""
    entry = _entry_for(lockfile, spec)
    pending = entry.pending if entry.pending and entry.pending.job == job.name else None
    revision = _refreshed(pending, job) if pending else new_revision(spec, job)
    return lockfile.with_entry(
        spec.name, replace(entry, pending=replace(revision, smoke_test="failed"))
    )


def record_cancelled(lockfile: Lockfile, name: str, job: str) -> Lockfile:
    """A job was asked to stop: its recorded state says so until the listing knows better."""
    entry = lockfile.entries.get(name)
    if entry is None:
        return lockfile
    active, pending = entry.active, entry.pending
    if pending is not None and pending.job == job:
        pending = replace(pending, state=JobState.CANCELLING)
    if active is not None and active.job == job:
        active = replace(active, state=JobState.CANCELLING)
    return lockfile.with_entry(name, replace(entry, active=active, pending=pending))


def record_forgotten(lockfile: Lockfile, name: str) -> Lockfile:
    """A removed spec whose jobs ended leaves the lockfile."""
    return lockfile.with_entry(name, None)


def record_imported(lockfile: Lockfile, spec: JobSpec, revision: Revision) -> Lockfile:
    """A job adopted by `tuneops import`: active when it succeeded, else pending."""
    entry = _entry_for(lockfile, spec)
    if revision.state is JobState.SUCCEEDED:
        entry = replace(entry, active=revision)
    else:
        entry = replace(entry, pending=revision)
    return lockfile.with_entry(spec.name, entry)
