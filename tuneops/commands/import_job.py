"""`tuneops import NAME RESOURCE`: adopt a job made outside tuneops under a spec."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_OK
from tuneops.console import Console
from tuneops.core.importing import compare, imported_hash
from tuneops.core.transitions import record_found, record_imported
from tuneops.errors import UsageError
from tuneops.lockfile.file import Revision, write_lockfile
from tuneops.project.file import require_project
from tuneops.render.importing import ImportReport, render_import
from tuneops.runtime.checkout_lock import apply_lock
from tuneops.runtime.inputs import load_local
from tuneops.runtime.pinning import DatasetMissingError, pin_online
from tuneops.runtime.session import STATE_DIR, RemoteSession
from tuneops.specs.kinds import BackendKind

_VERTEX_JOB = re.compile(r"projects/[^/]+/locations/[^/]+/tuningJobs/[^/]+")
_GEMINI_MODEL = re.compile(r"tunedModels/[a-z0-9-]+")


def _backend_of(resource: str) -> BackendKind:
    if _VERTEX_JOB.fullmatch(resource):
        return BackendKind.VERTEX
    if _GEMINI_MODEL.fullmatch(resource):
        return BackendKind.GEMINI
    raise UsageError(
        f"{resource!r} is neither a Vertex AI tuning job (projects/P/locations/L/tuningJobs/ID) "
        "nor a Gemini tuned model (tunedModels/ID)"
    )


def import_job(
    config: Path | None,
    name: str,
    resource: str,
    console: Console,
    fmt: Literal["text", "json"] = "text",
) -> int:
    """Records `resource` in the lockfile as the current revision of spec `name`.

    Neither service lets tuneops mark the job as its own (Vertex AI jobs cannot
    be relabelled; a Gemini model's id cannot change), so the adoption lives in
    the lockfile (`imported: true`) and the job is fetched by name on each run.
    """
    project = require_project(config)
    local = load_local(project)
    specs, lockfile = local.specs, local.lockfile
    spec = next((s for s in specs if s.name == name), None)
    if spec is None:
        raise UsageError(
            f"no spec named {name!r}: write the spec first, then import under its name"
        )
    kind = _backend_of(resource)
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
            where: Literal["active", "pending"] = (
                "active" if job.state.value == "succeeded" else "pending"
            )
            render_import(
                ImportReport(name, job.name, job.state.value, where, labelled=True), fmt, console
            )
            return EXIT_OK
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
    unverified = None
    if kind is BackendKind.GEMINI and not changes:
        unverified = "the Gemini API does not return training data; assumed to match"
    report = ImportReport(
        name,
        job.name,
        job.state.value,
        "active" if revision.state == "succeeded" else "pending",
        changes=changes,
        unverified=unverified,
    )
    render_import(report, fmt, console)
    return EXIT_OK
