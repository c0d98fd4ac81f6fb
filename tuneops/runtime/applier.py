"""Executes a plan through the backends and records every finished action at once.

Actions run in three phases: bookkeeping (adopt, promote, forget: no remote
call), cancels, then creates (create, replace, retry), each phase in parallel up
to `parallelism`. Each worker records its own outcome as soon as it finishes,
under a lock, as one fsynced line of the apply journal (see
`tuneops.lockfile.journal`); the lockfile itself is written once, when the run
ends. An apply that is interrupted or half fails thus leaves a record that is
true for everything that happened, and each action costs the same whatever the
size of the lockfile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tuneops.backends.transport.clock import resume_sleeping, stop_sleeping
from tuneops.backends.transport.errors import FailedPreconditionError, QuotaExceededError
from tuneops.core.jobs import RemoteJob
from tuneops.core.plan import Action, ActionKind, Phase, Plan
from tuneops.core.planner import KEEPABLE, current_job, racing_duplicates
from tuneops.core.promotion import gate_record
from tuneops.core.transitions import (
    record_cancelled,
    record_dequeued,
    record_forgotten,
    record_found,
    record_judged,
    record_promoted,
    record_queued,
    record_smoke_failed,
    record_started,
    refresh,
)
from tuneops.errors import LockfileError, NotOwnedError, PlanStaleError, TuneopsError
from tuneops.exit_codes import EXIT_BLOCKED, EXIT_ERROR, EXIT_OK
from tuneops.lockfile.file import Lockfile, QueueReason, check_writable, write_lockfile
from tuneops.lockfile.journal import Journal
from tuneops.notes import Note, NoteCode, Severity
from tuneops.runtime.gate import run_gate
from tuneops.runtime.inputs import Inputs
from tuneops.runtime.session import RemoteSession, place_of
from tuneops.runtime.staging.upload import Stager, StagingError
from tuneops.specs.kinds import BackendKind
from tuneops.specs.models import JobSpec, VertexSpec

log = logging.getLogger("tuneops.apply")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one action: done (with the job it made or touched) or failed.

    A start that found no free slot is `queued`: recorded, not failed, and not done.
    """

    action: Action
    ok: bool
    detail: Note  # what happened (tuneops.notes; the views word it)
    job: str | None = None
    queued: bool = False
    # A promotion gate held the revision back: the apply needs attention (exit 3),
    # it did not fail; `gate` is the lockfile's record of the verdict.
    attention: bool = False
    gate: dict[str, object] | None = None


def outcomes_exit_code(outcomes: Sequence[Outcome]) -> int:
    """0 when every action succeeded; 3 (needs attention) when the only ones that did
    not are revisions a promotion gate held back; 1 when any failed."""
    missed = [o for o in outcomes if not o.ok]
    if not missed:
        return EXIT_OK
    return EXIT_BLOCKED if all(o.attention for o in missed) else EXIT_ERROR


class Applier:
    """Applies one plan; owns the lockfile while it runs."""

    def __init__(
        self,
        session: RemoteSession,
        specs: Sequence[JobSpec],
        lockfile: Lockfile,
        lockfile_path: Path,
        observed: Iterable[RemoteJob],
        *,
        parallelism: int = 8,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.session = session
        self.specs = {spec.name: spec for spec in specs}
        self.observed = {job.name: job for job in observed}
        self.lockfile_path = lockfile_path
        self.parallelism = max(1, parallelism)
        self.on_outcome = on_outcome
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._staging: Stager | None = None
        # The deadline of the running phase (time.monotonic); once one phase passes
        # its deadline, it stays passed: no later phase starts anything either.
        self._phase_end: float | None = None
        self._phase_late = False
        self.lockfile = refresh(lockfile, self.observed.values())
        self._journal = Journal(lockfile_path)

    @classmethod
    def for_inputs(
        cls,
        session: RemoteSession,
        inputs: Inputs,
        *,
        parallelism: int = 8,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> Applier:
        """The applier for a plan computed from `inputs`."""
        return cls(
            session,
            inputs.specs,
            inputs.lockfile,
            inputs.project.lockfile_path,
            inputs.remote or (),
            parallelism=parallelism,
            on_outcome=on_outcome,
        )

    def _save(self) -> None:
        try:
            write_lockfile(self.lockfile_path, self.lockfile)
        except OSError as error:
            # The disk filled up after the probe: say so, never crash; the jobs
            # carry their labels, so the next plan adopts what was not recorded.
            raise LockfileError(
                f"cannot write the lockfile {self.lockfile_path}: {error.strerror or error}; "
                "the next plan adopts any job started here by its labels"
            ) from None

    def _record(self, name: str, change: Callable[[Lockfile], Lockfile]) -> None:
        """Applies a change to `name`'s entry and journals the entry before returning."""
        with self._lock:
            self.lockfile = change(self.lockfile)
            entry = self.lockfile.entries.get(name)
            self._journal.record(name, entry.to_data() if entry is not None else None)

    def _spec(self, action: Action) -> JobSpec:
        spec = self.specs.get(action.name)
        if spec is None or (action.spec_hash and spec.spec_hash != action.spec_hash):
            raise PlanStaleError(
                f"the spec {action.name!r} changed since the plan was made; plan again"
            )
        return spec

    def _known(self, name: str | None) -> RemoteJob:
        job = self.observed.get(name or "")
        if job is None:
            raise PlanStaleError(f"job {name} is no longer listed; plan again")
        return job

    def _owned(self, action: Action, job: str, verb: str) -> RemoteJob:
        """The job as it is now, if it carries this stack's labels for the action's spec.

        Ownership is read from the job itself, whatever the plan or lockfile say.
        """
        current = self.session.backend(action.backend).get(job)
        stack = self.session.project.config.stack
        if (current.stack, current.spec_name) != (stack, action.name):
            raise NotOwnedError(
                f"refusing to {verb} {job}: it does not carry the labels of spec "
                f"{action.name!r} in stack {stack!r}; tuneops stops only its own jobs"
            )
        return current

    def _cancel(self, action: Action, job: str) -> None:
        backend = self.session.backend(action.backend)
        current = self._owned(action, job, "cancel")
        try:
            if current.state.has_ended:
                pass  # another apply (or a person) already stopped it
            elif backend.capabilities.cancel:
                backend.cancel(job)
            else:  # the planner only plans this where the backend can delete
                backend.delete(job)
        except FailedPreconditionError:
            # A racing apply cancelled it between our read and our cancel: done.
            if backend.get(job).state.in_flight:
                raise
        self._record(action.name, lambda lock: record_cancelled(lock, action.name, job))

    def _execute(self, action: Action) -> Outcome:
        kind = action.kind
        if kind is ActionKind.FORGET:
            self._record(action.name, lambda lock: record_forgotten(lock, action.name))
            return Outcome(action, True, Note.of(NoteCode.FORGOTTEN))
        if kind is ActionKind.DEQUEUE:
            self._record(action.name, lambda lock: record_dequeued(lock, action.name))
            return Outcome(action, True, Note.of(NoteCode.DEQUEUED))
        if kind is ActionKind.ADOPT:
            spec, job = self._spec(action), self._known(action.job)
            self._record(spec.name, lambda lock: record_found(lock, spec, job))
            return Outcome(action, True, _done(NoteCode.ADOPTED, job.name), job.name)
        if kind is ActionKind.PROMOTE:
            return self._promote(action, self._spec(action), self._known(action.job))
        if kind is ActionKind.DELETE:
            assert action.job is not None
            self._owned(action, action.job, "delete")
            self.session.backend(action.backend).delete(action.job)
            return Outcome(action, True, _done(NoteCode.DELETED, action.job), action.job)
        if kind is ActionKind.CANCEL:
            assert action.job is not None
            self._cancel(action, action.job)
            return Outcome(action, True, _done(NoteCode.CANCELLED, action.job), action.job)
        spec = self._spec(action)
        if action.queued is not None:
            # No free slot: nothing starts (nor do the cancels it would make room with).
            reason = action.queued.reason
            self._record(spec.name, lambda lock: record_queued(lock, spec, reason))
            return Outcome(action, True, _queued_note(self.lockfile, spec.name), queued=True)
        # The job names the staged copy of a local dataset; the lockfile keeps the spec.
        staged = self._stager().stage(spec) if spec.local_datasets else spec
        # The new revision first: a create the service refuses (a model it does not
        # tune, a bad hyper-parameter) must not have cancelled the older revision in
        # flight. Only when the refusal is for quota do the cancels make room first.
        cancelled = False
        try:
            try:
                created = self._create(staged)
            except QuotaExceededError:
                if not action.cancels:
                    raise
                for older in action.cancels:
                    self._cancel(action, older)
                cancelled = True
                created = self._create(staged)
        except QuotaExceededError as error:
            # The service counts more than this stack's jobs: wait for a slot, not
            # for seconds of back-off. The next apply tries again, oldest first.
            quota = QueueReason.QUOTA
            self._record(spec.name, lambda lock: record_queued(lock, spec, quota))
            detail = _queued_note(self.lockfile, spec.name, said=str(error))
            return Outcome(action, True, detail, queued=True)
        self._record(spec.name, lambda lock: record_started(lock, spec, created))
        if not cancelled:
            for older in action.cancels:
                self._cancel(action, older)
        return Outcome(action, True, _done(NoteCode.CREATED, created.name), created.name)

    def _create(self, spec: JobSpec) -> RemoteJob:
        return self.session.backend(spec.backend).create(spec, self.session.project.config.stack)

    def _stager(self) -> Stager:
        with self._lock:
            if self._staging is None:
                config = self.session.project.config
                bucket = config.vertex.staging_bucket
                if bucket is None:  # load_local refuses such specs; guard specs built in code
                    raise StagingError("no vertex.stagingBucket in tuneops.yaml")
                self._staging = Stager(self.session.storage(), bucket, config.stack)
            return self._staging

    def _promote(self, action: Action, spec: JobSpec, job: RemoteJob) -> Outcome:
        """Promotes a succeeded revision, after its smoke test when the spec has one."""
        if isinstance(spec.spec, VertexSpec) and (spec.spec.promote or spec.spec.serve):
            return self._gated(action, spec, spec.spec, job)
        smoke = spec.spec.smoke_test
        if smoke is None:
            self._record(spec.name, lambda lock: record_promoted(lock, spec, job))
            return Outcome(action, True, _done(NoteCode.PROMOTED, job.name), job.name)
        target = job.endpoint if spec.backend is BackendKind.VERTEX and job.endpoint else job.name
        answer = self.session.backend(spec.backend).generate(target, smoke.prompt)
        if not smoke.expect.met_by(answer):
            self._record(spec.name, lambda lock: record_smoke_failed(lock, spec, job))
            contains = smoke.expect.contains is not None
            failed = Note.of(
                NoteCode.SMOKE_TEST_FAILED,
                Severity.ERROR,
                answer=answer[:200],
                expect="contains" if contains else "equals",
                value=smoke.expect.contains if contains else smoke.expect.equals,
            )
            return Outcome(action, False, failed, job.name)
        self._record(spec.name, lambda lock: record_promoted(lock, spec, job, smoke_test="passed"))
        return Outcome(action, True, _done(NoteCode.PROMOTED_SMOKE_PASSED, job.name), job.name)

    def _gated(self, action: Action, spec: JobSpec, vertex: VertexSpec, job: RemoteJob) -> Outcome:
        """Promotes a revision through `spec.promote` and `spec.serve` (runtime/gate.py)."""
        entry = self.lockfile.entries.get(spec.name)
        active = entry.active if entry is not None else None
        run = run_gate(self.session.backend(spec.backend), vertex, job, active)
        verdict = run.verdict
        result = "passed" if run.passed else "failed"
        gate = gate_record(verdict, result) if verdict.judged or not run.passed else None
        if gate is not None and run.smoke_test == "failed":
            gate["smokeTest"] = "failed"
        serving = (verdict.serving.checkpoint_id, verdict.serving.endpoint)
        self._record(
            spec.name,
            lambda lock: record_judged(lock, spec, job, serving, gate, run.smoke_test),
        )
        if run.passed:
            return Outcome(action, True, _done(NoteCode.PROMOTED, job.name), job.name, gate=gate)
        return Outcome(
            action,
            False,
            Note.of(NoteCode.GATE_HELD_BACK, Severity.WARNING, job=job.name),
            job.name,
            attention=True,
            gate=gate,
        )

    def _attempt(self, action: Action) -> Outcome:
        if self._stopping.is_set():  # interrupted: start nothing new
            return Outcome(action, False, Note.of(NoteCode.NOT_STARTED_INTERRUPTED, Severity.ERROR))
        if self._past_deadline():
            seconds = self.session.project.config.timeouts.apply_phase
            late = Note.of(NoteCode.NOT_STARTED_DEADLINE, Severity.ERROR, seconds=seconds)
            outcome = Outcome(action, False, late)
        else:
            started = time.monotonic()
            try:
                outcome = self._execute(action)
            except TuneopsError as error:
                failed = Note.of(NoteCode.ACTION_FAILED, Severity.ERROR, message=str(error))
                outcome = Outcome(action, False, failed)
            _log_outcome(outcome, time.monotonic() - started)
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        return outcome

    def _past_deadline(self) -> bool:
        with self._lock:
            if not self._phase_late and self._phase_end is not None:
                self._phase_late = time.monotonic() >= self._phase_end
            return self._phase_late

    def run(self, plan: Plan) -> tuple[Outcome, ...]:
        """Applies every action of `plan`; returns the outcomes in plan order.

        The lockfile is first brought up to date with the observed jobs (written
        only if that changes it); each action is then journaled as it ends, and
        the lockfile written once at the end. When the run is interrupted the
        journal is left for the next run to fold in: it is already on disk, and
        rendering a large lockfile could outlast the user's patience.
        """
        with self._lock:
            if plan.has_changes:
                # Record before acting: prove the record can be written first.
                check_writable(self.lockfile_path)
            self._save()
        try:
            outcomes = self._run_phases(plan)
            created = [
                o for o in outcomes.values() if o.ok and not o.queued and o.action.kind.creates_job
            ]
            extra = self.converge(created) if created else ()
        finally:
            self._journal.close()
        with self._lock:
            self._save()
        return tuple(outcomes[i] for i in sorted(outcomes)) + extra

    def _run_phases(self, plan: Plan) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        for phase in Phase:
            batch = [(i, a) for i, a in enumerate(plan.actions) if a.kind.phase is phase]
            if not batch:
                continue
            # Each phase has its own deadline; an action is checked as it starts, so
            # one in flight at the deadline finishes and is recorded.
            self._phase_end = time.monotonic() + self.session.project.config.timeouts.apply_phase
            with ThreadPoolExecutor(max_workers=min(self.parallelism, len(batch))) as pool:
                futures = {pool.submit(self._attempt, action): i for i, action in batch}
                try:
                    for future in as_completed(futures):
                        outcomes[futures[future]] = future.result()
                except BaseException:
                    # Interrupted: start nothing new, wake the workers that sleep (pacing,
                    # backoff); a request in flight finishes and is recorded.
                    self._stopping.set()
                    stop_sleeping()
                    try:
                        pool.shutdown(wait=True, cancel_futures=True)
                    finally:
                        resume_sleeping()
                    raise
        return outcomes

    def converge(self, created: Sequence[Outcome]) -> tuple[Outcome, ...]:
        """Reduces racing duplicates (same name and hash, from another apply) to the oldest.

        Lists the places it created in once more; for each spec it created a job
        for, every other live job of the same hash is cancelled, keeping the
        oldest, which the lockfile then records.
        """
        names = {o.action.name for o in created}
        specs = [self.specs[name] for name in names]
        where = {place_of(spec) for spec in specs}
        by_name: dict[str, list[RemoteJob]] = {}
        for listed in self.session.list_jobs(sorted(where)):
            by_name.setdefault(listed.spec_name or "", []).append(listed)
        extra: list[Outcome] = []
        for spec in sorted(specs, key=lambda s: s.name):
            jobs = by_name.get(spec.name, [])
            keep = current_job(spec, jobs)
            if keep is None or keep.state not in KEEPABLE:
                continue
            duplicates = racing_duplicates(keep, jobs)
            if not duplicates:
                continue
            self._record(spec.name, partial(_adopt, spec=spec, job=keep))
            for duplicate in duplicates:
                action = Action(
                    ActionKind.CANCEL,
                    spec.name,
                    spec.backend,
                    Note.of(NoteCode.DUPLICATE_JOB_CONVERGED, keep=keep.name),
                    spec.spec_hash,
                    duplicate.name,
                )
                extra.append(self._attempt(action))
        return tuple(extra)


def _done(code: NoteCode, job: str | None) -> Note:
    return Note.of(code, job=job)


def _queued_note(lockfile: Lockfile, name: str, said: str | None = None) -> Note:
    """The start waits for a slot: the queue's reason and ticket (and what the service said)."""
    entry = lockfile.entries.get(name)
    ticket = entry.queued.ticket if entry is not None and entry.queued is not None else None
    reason = entry.queued.reason.value if entry is not None and entry.queued is not None else ""
    if said is None:
        return Note.of(NoteCode.QUEUED, reason=reason, ticket=ticket)
    return Note.of(NoteCode.QUEUED_AFTER_REFUSAL, reason=reason, ticket=ticket, said=said)


def _adopt(lockfile: Lockfile, *, spec: JobSpec, job: RemoteJob) -> Lockfile:
    return record_found(lockfile, spec, job)


def _log_outcome(outcome: Outcome, seconds: float) -> None:
    """One log record per action, shown with `--log-format json` (the views word
    outcomes for people): the note's code, and what the service said on failure."""
    action, note = outcome.action, outcome.detail
    said = note["message"]
    log.log(
        logging.INFO if outcome.ok else logging.ERROR,
        "%s %s: %s%s",
        action.kind.value,
        action.name,
        note.code.value,
        f": {said}" if said else "",
        extra={
            "event": "apply.action",
            "spec": action.name,
            "job": outcome.job or action.job,
            "action": action.kind.value,
            "note": note.code.value,
            "duration": round(seconds, 3),
            "json_only": True,  # text shows the outcome through the command's view
        },
    )
