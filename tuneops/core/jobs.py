"""The domain's jobs: which service, what state, and a remote job normalized across services.

Pure values the planner reasons about; the backends produce them. `BackendKind` and
`JobState` are defined in `specs/kinds.py`, the one home of the domain's closed sets
(a spec names its backend; the lockfile records a revision's state).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from tuneops.core.evaluation import Checkpoint, CheckpointScores
from tuneops.specs.kinds import BackendKind, JobState

__all__ = ["HASH_PREFIX", "Capabilities", "RemoteJob", "by_age", "short_hash"]

# Remote identity records the first 16 hex digits of the spec hash (a label value
# has at most 64 characters, and 64 bits tell revisions apart).
HASH_PREFIX = 16


def short_hash(spec_hash: str | None) -> str:
    """The prefix of a spec hash that remote jobs carry."""
    return (spec_hash or "")[:HASH_PREFIX]


@dataclass(frozen=True, slots=True)
class RemoteJob:
    """One remote job, normalized across backends.

    `spec_hash` is the hash prefix recorded remotely (16 hex digits); `stack`,
    `spec_name` and `spec_hash` are None only for a job without tuneops identity,
    which `get` can return but `list_jobs` never does. `project` is the project as
    the caller named it when known (an id), else as the service wrote it (often
    the number); `location` is None on the Gemini API. Times are UTC.
    `example_count`, `billable_tokens` and `experiment` are what the service
    reports of the training run once it started (Vertex only). `imported` marks
    a job adopted by `tuneops import`: it carries no tuneops identity of its own
    (the lockfile lends it one), so it is never cancelled. `checkpoints` and
    `evaluation` are what a succeeded Vertex job reports (issue 19).
    """

    backend: BackendKind
    name: str
    spec_name: str | None
    spec_hash: str | None
    stack: str | None
    protect: bool
    state: JobState
    create_time: dt.datetime | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    update_time: dt.datetime | None = None
    model: str | None = None
    endpoint: str | None = None
    error_message: str | None = None
    error_code: int | None = None
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    progress: float | None = None
    nonce: str | None = None
    project: str | None = None
    location: str | None = None
    example_count: int | None = None
    billable_tokens: int | None = None
    experiment: str | None = None
    imported: bool = False
    checkpoints: tuple[Checkpoint, ...] = ()
    evaluation: tuple[CheckpointScores, ...] = ()


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend can do, so the planner can refuse what it cannot."""

    client_chosen_ids: bool
    labels: bool
    cancel: bool
    delete: bool


def by_age(job: RemoteJob) -> tuple[str, str]:
    """Sort key, oldest first; a job with no create time counts as the newest.

    The one ordering of jobs by age: the planner keeps the oldest of racing
    duplicates, and status shows the newest revision.
    """
    created = job.create_time.isoformat() if job.create_time else "~"
    return (created, job.name)
