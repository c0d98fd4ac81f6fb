"""The planner: (specs, lockfile, remote jobs) → Plan. Pure: no I/O, no clock.

Per spec name it compares the hash of the spec with the jobs that carry the
stack's identity, and the lockfile's record of them:

- a job for the current hash that is running or succeeded is the spec's job;
  if the lockfile does not know it, `adopt`; if it succeeded as the pending
  revision, `promote`; live duplicates of it (a race) are cancelled;
- a job for the current hash that failed is retried only with `retry_failed`;
- no job for the current hash: `replace` when an older revision exists, else
  `create`; an older revision still in flight is cancelled by the replace;
- a removed spec: `cancel` its live jobs, `forget` it once they have ended.

Guards then block what they must; a blocked action is shown, never applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from tuneops.core.diff import diff
from tuneops.core.fingerprint import fingerprint as fingerprint
from tuneops.core.guards import guarded
from tuneops.core.jobs import Capabilities, RemoteJob, by_age, short_hash
from tuneops.core.plan import Action, ActionKind, Plan, PlanOptions
from tuneops.core.promotion import choose_serving, comparison, gate_failures, scores_fields
from tuneops.core.queue import assign_slots, occupancy, spec_place, stale_queue
from tuneops.errors import UnknownNamesError
from tuneops.lockfile.file import LockEntry, Lockfile
from tuneops.notes import Note, NoteCode, Severity
from tuneops.specs.hashing import spec_snapshot
from tuneops.specs.kinds import BackendKind, JobState
from tuneops.specs.models import JobSpec, VertexSpec


def current_job(spec: JobSpec, jobs: Sequence[RemoteJob]) -> RemoteJob | None:
    """The job that stands for the spec's current hash: the oldest queued, running or
    succeeded one, else the newest that failed or was cancelled, else None."""
    current = [
        j for j in jobs if j.spec_name == spec.name and j.spec_hash == short_hash(spec.spec_hash)
    ]
    wanted = [j for j in current if j.state in KEEPABLE]
    if wanted:
        return min(wanted, key=by_age)
    return max(current, key=by_age) if current else None


def racing_duplicates(keep: RemoteJob, jobs: Iterable[RemoteJob]) -> list[RemoteJob]:
    """The duplicates of `keep`, oldest first: other jobs of the same spec hash still in
    flight (two applies raced). The one rule both the planner and the applier's
    converge step cancel by; `keep` is `current_job`, the oldest of them."""
    return sorted(
        (
            j
            for j in jobs
            if j.spec_hash == keep.spec_hash and j.name != keep.name and j.state.in_flight
        ),
        key=by_age,
    )


def jobs_from_lockfile(lockfile: Lockfile) -> tuple[RemoteJob, ...]:
    """The lockfile's revisions seen as remote jobs, for an offline plan."""
    return tuple(
        RemoteJob(
            backend=entry.backend,
            name=revision.job,
            spec_name=name,
            spec_hash=short_hash(revision.spec_hash),
            stack=lockfile.stack,
            protect=entry.protect,
            state=revision.state,
            model=revision.model,
            endpoint=revision.endpoint,
            imported=revision.imported,
            project=entry.project,
            location=entry.location,
        )
        for name, entry in lockfile.entries.items()
        for revision in entry.revisions()
    )


class _SpecPlanner:
    """Plans one spec name; collects actions and notes."""

    def __init__(self, options: PlanOptions, capabilities: Mapping[BackendKind, Capabilities]):
        self.options = options
        self.capabilities = capabilities
        self.actions: list[Action] = []
        self.notes: list[Note] = []

    def cancel(self, name: str, job: RemoteJob, reason: Note, protect: bool) -> None:
        if job.imported:
            # Not ours to stop: an imported job carries no tuneops labels.
            self.notes.append(
                Note.of(NoteCode.IMPORTED_NOT_CANCELLED, spec=name, job=job.name, reason=reason)
            )
            return
        blocked = None
        caps = self.capabilities.get(job.backend)
        if protect:
            blocked = Note.of(NoteCode.BLOCKED_PROTECTED, Severity.ERROR)
        elif caps is not None and not (caps.cancel or caps.delete):
            cannot = NoteCode.BLOCKED_CANNOT_STOP
            blocked = Note.of(cannot, Severity.ERROR, backend=job.backend.value)
        elif caps is not None and not caps.cancel:
            reason = reason.with_fields(deletedBy=job.backend.value)
        self.actions.append(
            Action(
                ActionKind.CANCEL,
                name,
                job.backend,
                reason,
                spec_hash=job.spec_hash,
                job=job.name,
                blocked=blocked,
            )
        )

    def removed(self, name: str, entry: LockEntry | None, jobs: Sequence[RemoteJob]) -> None:
        protect = (entry.protect if entry else False) or any(j.protect for j in jobs)
        owned = [j for j in jobs if not j.imported]
        live = [j for j in owned if j.state.in_flight]
        for job in sorted(live, key=by_age):
            removed = Note.of(NoteCode.SPEC_REMOVED_JOB_LIVE, state=job.state.value)
            self.cancel(name, job, removed, protect)
        if entry is not None and not any(j.state.is_live for j in owned):
            self.forget(name, entry, jobs)
        if self.options.prune:
            # Imported models carry no tuneops marker: never ours to delete.
            self.prune(name, [j for j in owned if j.state.has_ended], protect)

    def forget(self, name: str, entry: LockEntry, jobs: Sequence[RemoteJob]) -> None:
        """Drops a removed spec; an imported job still running is said to keep running."""
        imported_live = sorted(j.name for j in jobs if j.imported and j.state.is_live)
        reason = Note.of(NoteCode.SPEC_REMOVED_JOBS_ENDED)
        if imported_live:
            live = tuple(imported_live)
            reason = Note.of(NoteCode.SPEC_REMOVED_IMPORTED_LIVE, jobs=live)
        self.actions.append(Action(ActionKind.FORGET, name, entry.backend, reason))

    def prune(self, name: str, ended: Sequence[RemoteJob], protect: bool) -> None:
        """Deletes the finished models of a removed spec (`prune: true`), never protected ones."""
        deletable = [j for j in ended if (c := self.capabilities.get(j.backend)) and c.delete]
        if deletable and protect:
            self.notes.append(
                Note.of(NoteCode.PRUNE_KEEPS_PROTECTED, spec=name, models=len(deletable))
            )
            return
        for job in sorted(deletable, key=by_age):
            self.actions.append(
                Action(
                    ActionKind.DELETE,
                    name,
                    job.backend,
                    Note.of(NoteCode.PRUNE_MODEL, state=job.state.value),
                    spec_hash=job.spec_hash,
                    job=job.name,
                )
            )

    def desired(self, spec: JobSpec, entry: LockEntry | None, jobs: Sequence[RemoteJob]) -> None:
        keep = current_job(spec, jobs)
        known = {r.job for r in entry.revisions()} if entry else set()
        if keep is None or keep.state is not JobState.SUCCEEDED:
            self._serving(spec, entry, jobs, known)
        if keep is None:
            self._start(spec, entry, [j for j in jobs if j.spec_hash != short_hash(spec.spec_hash)])
        elif keep.state not in KEEPABLE:
            self._failed(spec, entry, keep, known)
        else:
            duplicates = {j.name for j in racing_duplicates(keep, jobs)}
            for job in sorted(jobs, key=by_age):
                if job is keep or not job.state.in_flight:
                    continue
                if job.name in duplicates:
                    reason = Note.of(NoteCode.DUPLICATE_JOB, keep=keep.name)
                    self.cancel(spec.name, job, reason, protect=False)
                else:
                    superseded = Note.of(NoteCode.SUPERSEDED)
                    self.cancel(spec.name, job, superseded, spec.protect)
            self._keep(spec, entry, keep, known)

    def _serving(
        self, spec: JobSpec, entry: LockEntry | None, jobs: Sequence[RemoteJob], known: set[str]
    ) -> None:
        """Adopts the newest succeeded job of an earlier spec when nothing is active.

        That is what apply would have recorded as active before the lockfile was
        lost: the endpoint that keeps serving until the current revision succeeds.
        """
        if entry is not None and entry.active is not None:
            return
        current = short_hash(spec.spec_hash)
        earlier = [j for j in jobs if j.state is JobState.SUCCEEDED and j.spec_hash != current]
        if not earlier:
            return
        serving = max(earlier, key=by_age)
        if serving.name in known:
            return
        reason = Note.of(NoteCode.ADOPT_EARLIER_SERVING, job=serving.name)
        self.actions.append(
            Action(ActionKind.ADOPT, spec.name, spec.backend, reason, spec.spec_hash, serving.name)
        )

    def _keep(
        self, spec: JobSpec, entry: LockEntry | None, job: RemoteJob, known: set[str]
    ) -> None:
        if job.name not in known:
            reason = _unrecorded(job)
            self.actions.append(
                Action(ActionKind.ADOPT, spec.name, spec.backend, reason, spec.spec_hash, job.name)
            )
        elif job.state is JobState.SUCCEEDED and entry and _reverted(spec, entry, job):
            stale = entry.pending.job if entry.pending else None
            reason = Note.of(NoteCode.ADOPT_REVERTED, job=job.name, pending=stale)
            self.actions.append(
                Action(ActionKind.ADOPT, spec.name, spec.backend, reason, spec.spec_hash, job.name)
            )
        elif job.state is JobState.SUCCEEDED and entry and entry.pending:
            if entry.pending.job != job.name:
                return
            gate = entry.pending.gate or {}
            if gate.get("result") == "failed" and not self.options.retry_failed:
                self.notes.append(
                    Note.of(
                        NoteCode.GATE_FAILED_KEPT,
                        Severity.WARNING,
                        spec=spec.name,
                        job=job.name,
                        failures=gate_failures(entry.pending),
                        comparison=comparison(entry.pending, entry.active),
                    )
                )
                return
            if entry.pending.smoke_test == "failed" and not self.options.retry_failed:
                self.notes.append(
                    Note.of(
                        NoteCode.SMOKE_TEST_FAILED_KEPT,
                        Severity.WARNING,
                        spec=spec.name,
                        job=job.name,
                    )
                )
                return
            serve = spec.spec.serve if isinstance(spec.spec, VertexSpec) else None
            serving, _ = choose_serving(serve, job)
            self.actions.append(
                Action(
                    ActionKind.PROMOTE,
                    spec.name,
                    spec.backend,
                    Note.of(
                        NoteCode.PROMOTE_SUCCEEDED,
                        scores=scores_fields(serving),
                        checkpoint=serving.checkpoint_id,
                    ),
                    spec.spec_hash,
                    job.name,
                    scores=tuple(sorted(serving.scores.items())),
                    checkpoint=serving.checkpoint_id,
                )
            )

    def _failed(
        self, spec: JobSpec, entry: LockEntry | None, job: RemoteJob, known: set[str]
    ) -> None:
        what = Note.of(
            NoteCode.RETRY_ENDED, job=job.name, state=job.state.value, error=job.error_message
        )
        if self.options.retry_failed:
            self.actions.append(
                Action(ActionKind.RETRY, spec.name, spec.backend, what, spec.spec_hash, job.name)
            )
            return
        self.notes.append(
            Note.of(
                NoteCode.JOB_ENDED_RETRY,
                Severity.WARNING,
                spec=spec.name,
                job=job.name,
                state=job.state.value,
                error=job.error_message,
            )
        )
        if job.name not in known:
            reason = _unrecorded(job)
            self.actions.append(
                Action(ActionKind.ADOPT, spec.name, spec.backend, reason, spec.spec_hash, job.name)
            )

    def _start(self, spec: JobSpec, entry: LockEntry | None, others: Sequence[RemoteJob]) -> None:
        snapshot = spec_snapshot(spec.canonical)
        previous = entry.active or entry.pending if entry else None
        if previous is None and not others:
            self.actions.append(
                Action(
                    ActionKind.CREATE,
                    spec.name,
                    spec.backend,
                    Note.of(NoteCode.NEW_SPEC),
                    spec.spec_hash,
                )
            )
            return
        in_flight = sorted((j for j in others if j.state.in_flight and not j.imported), key=by_age)
        for job in others:
            if job.imported and job.state.in_flight:
                self.notes.append(
                    Note.of(NoteCode.IMPORTED_KEEPS_RUNNING, spec=spec.name, job=job.name)
                )
        replaced = previous.job if previous else max(others, key=by_age).name
        changes = diff(previous.spec if previous else None, snapshot)
        code = NoteCode.SPEC_CHANGED if changes or previous is None else NoteCode.SPEC_CHANGED_HASH
        if previous is not None and previous.spec is None:
            code = NoteCode.SPEC_CHANGED_UNRECORDED
        blocked = None
        if in_flight and spec.protect:
            blocked = Note.of(NoteCode.BLOCKED_REPLACE_PROTECTED, Severity.ERROR)
        self.actions.append(
            Action(
                ActionKind.REPLACE,
                spec.name,
                spec.backend,
                Note.of(code),
                spec.spec_hash,
                job=replaced,
                cancels=tuple(j.name for j in in_flight),
                changes=changes,
                blocked=blocked,
            )
        )


def _unrecorded(job: RemoteJob) -> Note:
    return Note.of(NoteCode.ADOPT_UNRECORDED, job=job.name, state=job.state.value)


def _reverted(spec: JobSpec, entry: LockEntry, job: RemoteJob) -> bool:
    """The spec went back to the hash of the active revision, and the lockfile still
    records a later spec (its hash, or a pending revision of it)."""
    if entry.active is None or entry.active.job != job.name:
        return False
    pending_elsewhere = entry.pending is not None and entry.pending.spec_hash != spec.spec_hash
    return entry.spec_hash != spec.spec_hash or pending_elsewhere


KEEPABLE = frozenset({JobState.PENDING, JobState.RUNNING, JobState.SUCCEEDED})


def make_plan(
    stack: str,
    specs: Sequence[JobSpec],
    lockfile: Lockfile,
    remote: Sequence[RemoteJob] | None,
    options: PlanOptions,
    capabilities: Mapping[BackendKind, Capabilities],
    version: str,
) -> Plan:
    """The plan that brings the remote jobs in line with the specs.

    `remote` is the stack's jobs as listed (every page, every location), or None
    for an offline plan, which trusts the lockfile instead.
    """
    jobs = list(remote) if remote is not None else list(jobs_from_lockfile(lockfile))
    jobs = [j for j in jobs if j.stack == stack and j.spec_name]
    by_spec = {s.name: s for s in specs}
    names = set(by_spec) | set(lockfile.entries) | {j.spec_name or "" for j in jobs}
    if options.targets:
        unknown = sorted(set(options.targets) - names)
        if unknown:
            raise UnknownNamesError(unknown)
        names &= set(options.targets)
    planner = _SpecPlanner(options, capabilities)
    # One pass groups the jobs by spec name, so planning stays linear in specs + jobs.
    by_name: dict[str, list[RemoteJob]] = {}
    for job in jobs:
        by_name.setdefault(job.spec_name or "", []).append(job)
    for name in sorted(names):
        own = by_name.get(name, [])
        entry = lockfile.entries.get(name)
        if name in by_spec:
            planner.desired(by_spec[name], entry, own)
        else:
            planner.removed(name, entry, own)
    considered = [s for s in specs if s.name in names]
    # Job-starting actions also carry their spec's hash as written (Action.written_hash).
    actions = [
        replace(a, written_hash=by_spec[a.name].unpinned_hash) if a.kind.creates_job else a
        for a in planner.actions
    ]
    # Concurrency limits: the in-flight jobs counted from this listing, no other call.
    homes = {s.name: place for s in specs if (place := spec_place(s)) is not None}
    for name, entry in lockfile.entries.items():
        if name not in homes and entry.project and entry.location:
            homes[name] = (entry.project, entry.location)
    seen = occupancy(jobs, homes)
    actions = assign_slots(actions, by_spec, lockfile, seen, options.max_concurrent_jobs)
    actions += stale_queue(actions, lockfile, sorted(names))
    # A start recorded as queued was counted by the guards of the apply that queued it.
    approved = frozenset(
        name
        for name, entry in lockfile.entries.items()
        if entry.queued is not None
        and name in by_spec
        and entry.queued.spec_hash == by_spec[name].spec_hash
    )
    return Plan(
        stack=stack,
        fingerprint=fingerprint(stack, considered, lockfile, remote, options, version),
        actions=tuple(guarded(actions, specs, options, approved)),
        offline=remote is None,
        notes=tuple(planner.notes),
        tuneops_version=version,
        options=options,
    )
