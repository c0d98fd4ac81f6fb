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
    """The kinds of drift `tuneops reconcile` reports (stable codes: its JSON `kind`)."""

    CANCELLED = "cancelled"
    FAILED = "failed"
    DELETED = "deleted"
    UNEXPLAINED = "unexplained"
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class Drift:
    """One difference between what tuneops recorded and what the service shows.

    Data only: the views word it (`render.wording.drift_message`).
    """

    name: str
    kind: DriftKind
    job: str | None
    error: str | None = None  # what the service said, for a failed job


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
                found.append(Drift(name, DriftKind.DELETED, revision.job))
            elif job.state is JobState.CANCELLED and revision.state not in _CANCELLED:
                found.append(Drift(name, DriftKind.CANCELLED, job.name))
            elif job.state is JobState.FAILED and revision.state is not JobState.FAILED:
                found.append(Drift(name, DriftKind.FAILED, job.name, job.error_message))
        if name in spec_names and revisions and all(r.job not in remote for r in revisions):
            found.append(Drift(name, DriftKind.GONE, None))
    for job in sorted(jobs, key=lambda j: j.name):
        unexplained = job.spec_name not in spec_names and job.spec_name not in lockfile.entries
        if unexplained and job.state.is_live:
            found.append(Drift(job.spec_name or "?", DriftKind.UNEXPLAINED, job.name))
    return tuple(found)
