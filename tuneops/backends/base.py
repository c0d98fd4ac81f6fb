"""What the planner sees of a remote service: the `Backend` protocol and `RemoteJob`."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

from tuneops.specs.models import Backend as BackendKind
from tuneops.specs.models import JobSpec


class JobState(str, enum.Enum):
    """The lifecycle of a remote job, the same for every backend."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"

    @property
    def is_live(self) -> bool:
        """The job still runs, or will (and may still cost money)."""
        return self in _LIVE

    @property
    def has_ended(self) -> bool:
        """The job reached a final state."""
        return not self.is_live


_LIVE = frozenset({JobState.PENDING, JobState.RUNNING, JobState.CANCELLING})


@dataclass(frozen=True, slots=True)
class RemoteJob:
    """One remote job, normalized across backends.

    `spec_hash` is the hash prefix recorded remotely (16 hex digits); `stack`,
    `spec_name` and `spec_hash` are None only for a job without tuneops identity,
    which `get` can return but `list_jobs` never does. `project` is the project as
    the caller named it when known (an id), else as the service wrote it (often
    the number); `location` is None on the Gemini API. Times are UTC.
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
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    progress: float | None = None
    nonce: str | None = None
    project: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend can do, so the planner can refuse what it cannot."""

    client_chosen_ids: bool
    labels: bool
    cancel: bool
    delete: bool


@runtime_checkable
class Backend(Protocol):
    """One remote service. Every method raises a `RemoteError` on failure."""

    @property
    def kind(self) -> BackendKind:
        """Which service this is."""
        ...

    @property
    def capabilities(self) -> Capabilities:
        """What this backend supports."""
        ...

    def list_jobs(self, stack: str, project: str | None, location: str | None) -> list[RemoteJob]:
        """Every job of `stack` in one place, from one filtered list over all pages.

        Raises on any failure: a partial list is never returned.
        """
        ...

    def get(self, name: str) -> RemoteJob:
        """The job with the full resource name `name`."""
        ...

    def describe(self, name: str) -> dict[str, Any]:
        """The job's settings in spec terms (see `views`), for `tuneops import`."""
        ...

    def create(self, job: JobSpec, stack: str) -> RemoteJob:
        """Starts `job` for `stack`, making at most one remote job even across retries."""
        ...

    def cancel(self, name: str) -> None:
        """Asks the service to stop the job (asynchronously)."""
        ...

    def delete(self, name: str) -> None:
        """Deletes the job or model, where the service allows it."""
        ...

    def generate(self, name_or_endpoint: str, prompt: str) -> str:
        """The tuned model's text answer to `prompt` (for smoke tests)."""
        ...

    def close(self) -> None:
        """Releases pooled connections."""
        ...
