"""Drift: what changed behind tuneops' back, found by comparing the lockfile with the jobs. Pure."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from tuneops.core.jobs import RemoteJob
from tuneops.lockfile.file import Lockfile
from tuneops.specs.kinds import JobState
from tuneops.specs.models import JobSpec


class DriftKind(str, enum.Enum):
    """The kinds of drift `tuneops reconcile` reports."""

    CANCELLED = "cancelled outside tuneops"
    FAILED = "failed"
    DELETED = "deleted outside tuneops"
    UNEXPLAINED = "no spec explains it"
    GONE = "job gone"


@dataclass(frozen=True, slots=True)
class Drift:
    """One difference between what tuneops recorded and what the service shows."""

    name: str
    kind: DriftKind
    job: str | None
    message: str


_CANCELLED = {JobState.CANCELLED, JobState.CANCELLING}


def find_drift(
    specs: Sequence[JobSpec], lockfile: Lockfile, jobs: Sequence[RemoteJob]
) -> tuple[Drift, ...]:
    """Every drift, by spec name then job."""
    remote = {job.name: job for job in jobs}
    spec_names = {spec.name for spec in specs}
    found: list[Drift] = []
    for name, entry in sorted(lockfile.entries.items()):
        revisions = entry.revisions()
        for revision in revisions:
            job = remote.get(revision.job)
            if job is None:
                found.append(
                    Drift(
                        name,
                        DriftKind.DELETED,
                        revision.job,
                        f"job {revision.job} no longer exists",
                    )
                )
            elif job.state is JobState.CANCELLED and revision.state not in _CANCELLED:
                found.append(
                    Drift(name, DriftKind.CANCELLED, job.name, f"job {job.name} was cancelled")
                )
            elif job.state is JobState.FAILED and revision.state is not JobState.FAILED:
                detail = f": {job.error_message}" if job.error_message else ""
                found.append(
                    Drift(name, DriftKind.FAILED, job.name, f"job {job.name} failed{detail}")
                )
        if name in spec_names and revisions and all(r.job not in remote for r in revisions):
            found.append(
                Drift(name, DriftKind.GONE, None, "the spec's jobs are all gone; apply creates one")
            )
    for job in sorted(jobs, key=lambda j: j.name):
        unexplained = job.spec_name not in spec_names and job.spec_name not in lockfile.entries
        if unexplained and job.state.is_live:
            found.append(
                Drift(
                    job.spec_name or "?",
                    DriftKind.UNEXPLAINED,
                    job.name,
                    f"job {job.name} carries this stack's labels but no spec or lockfile "
                    "entry explains it",
                )
            )
    return tuple(found)
