"""Importing a job made outside tuneops (`tuneops import NAME RESOURCE`).

Neither service lets tuneops mark a job as its own (Vertex AI jobs cannot be
relabelled; a Gemini model's id cannot change), so the adoption lives in the
lockfile (`imported: true`) and the job is fetched by name on each run. How the
job compares with the spec is `core.importing`; how it is shown, `render.importing`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Literal

from tuneops.backends.gemini.shapes import GEMINI_MODEL_NAME
from tuneops.backends.vertex.shapes import VERTEX_JOB_NAME
from tuneops.core.importing import compare, imported_hash
from tuneops.core.plan import Change
from tuneops.core.transitions import record_found, record_imported
from tuneops.errors import UsageError
from tuneops.lockfile.file import Revision, write_lockfile
from tuneops.project.file import Project
from tuneops.runtime.checkout_lock import apply_lock
from tuneops.runtime.inputs import load_local
from tuneops.runtime.pinning import DatasetMissingError, pin_online
from tuneops.runtime.session import STATE_DIR, RemoteSession
from tuneops.specs.kinds import BackendKind, JobState


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What one import recorded.

    `labelled`: the job already carried this stack's labels, so it was simply
    recorded; `changes`: how the job's settings differ from the spec (a replace
    follows on the next apply); `training_data_assumed`: a Gemini job matched on
    everything but its training data, which the Gemini API never returns.
    """

    name: str
    job: str
    state: str
    revision: Literal["active", "pending"]
    backend: BackendKind
    labelled: bool = False
    changes: tuple[Change, ...] = ()
    training_data_assumed: bool = False


def backend_of(resource: str) -> BackendKind:
    """Which service `resource` names, by its resource-name pattern; else a UsageError."""
    if VERTEX_JOB_NAME.fullmatch(resource):
        return BackendKind.VERTEX
    if GEMINI_MODEL_NAME.fullmatch(resource):
        return BackendKind.GEMINI
    raise UsageError(
        f"{resource!r} is neither a Vertex AI tuning job (projects/P/locations/L/tuningJobs/ID) "
        "nor a Gemini tuned model (tunedModels/ID)"
    )


def _revision(state: JobState) -> Literal["active", "pending"]:
    return "active" if state is JobState.SUCCEEDED else "pending"


def import_job(project: Project, name: str, resource: str) -> ImportOutcome:
    """Records `resource` in the lockfile as the current revision of spec `name`.

    A job that already carries this stack's labels for `name` is recorded as
    found; one of another spec or stack is refused; a foreign job is compared
    with the spec and recorded as imported, with the hash of what it ran.
    """
    local = load_local(project)
    specs, lockfile = local.specs, local.lockfile
    spec = next((s for s in specs if s.name == name), None)
    if spec is None:
        raise UsageError(
            f"no spec named {name!r}: write the spec first, then import under its name"
        )
    kind = backend_of(resource)
    if kind is not spec.backend:
        raise UsageError(
            f"{resource} is a {kind.value} job but spec {name!r} is for {spec.backend.value}"
        )
    with apply_lock(project.root / STATE_DIR), RemoteSession(project) as session:
        with contextlib.suppress(DatasetMissingError):  # compared with the data as it is now
            spec = pin_online(session, [spec], lockfile)[0]
        backend = session.backend(kind)
        job = backend.get(resource)
        if job.stack is not None:
            if job.stack != project.config.stack or job.spec_name != name:
                raise UsageError(
                    f"{resource} already belongs to spec {job.spec_name!r} of stack {job.stack!r}; "
                    "tuneops never takes a job over from another spec or stack"
                )
            write_lockfile(project.lockfile_path, record_found(lockfile, spec, job))
            where = _revision(job.state)
            return ImportOutcome(name, job.name, job.state.value, where, kind, labelled=True)
        snapshot, changes = compare(spec, backend.describe(resource))
        revision = Revision(
            job=job.name,
            spec_hash=imported_hash(spec, snapshot, matches=not changes),
            state=job.state,
            model=job.model,
            endpoint=job.endpoint,
            spec=snapshot,
            imported=True,
        )
        write_lockfile(project.lockfile_path, record_imported(lockfile, spec, revision))
    return ImportOutcome(
        name,
        job.name,
        job.state.value,
        _revision(revision.state),
        kind,
        changes=changes,
        training_data_assumed=kind is BackendKind.GEMINI and not changes,
    )
