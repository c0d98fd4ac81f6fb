"""The `Backend` protocol: what every remote service client offers the runtime."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from tuneops.core.jobs import Capabilities, RemoteJob
from tuneops.specs.kinds import BackendKind
from tuneops.specs.models import JobSpec


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
        """The job's settings in spec terms (each service's `view`), for `tuneops import`."""
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
