"""The model of `tuneops.yaml`, built only where a command needs more than `validate` does.

`tuneops.project.file` checks the file against its schema without these models (so
that `validate` need not import pydantic) and builds them on first use.
"""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from tuneops.specs.models import Defaults, Model


class ServiceSettings(Model):
    """Per-backend settings.

    `endpoint` overrides the public URL (or is `embedded`); `quota_project` is
    the project billed for calls made with OAuth credentials.
    """

    endpoint: str | None = None
    quota_project: str | None = None


class StorageSettings(Model):
    """`storage:`; `endpoint` overrides the Cloud Storage URL (or is `embedded`)."""

    endpoint: str | None = None


class VertexSettings(ServiceSettings):
    """`vertex:`; `staging_bucket` is where local datasets are uploaded (`gs://b[/prefix]`);
    `max_concurrent_jobs` caps the stack's jobs in flight per project and region
    (more creates are queued, docs/reconciler.md)."""

    staging_bucket: str | None = None
    max_concurrent_jobs: int | None = None


class Guards(Model):
    """Limits that block a plan unless raised on the command line."""

    max_cancel: int = 5
    max_create: int = 20
    max_cost: float | None = None


class Pricing(Model):
    """`pricing:`: prices per million training tokens, by base model (over the defaults)."""

    currency: str = "USD"
    training_per_million_tokens: dict[str, float] | None = None


class PhaseTimeouts(Model):
    """`timeouts:`: seconds a phase of a command may take, all its calls together.

    `listing`: listing the stack's jobs in every place (plan, apply, status, wait);
    the network time of a plan. 120 s lists a 20,000-job stack many times over;
    a larger stack or a slow link raises it.
    `apply_phase`: each phase of an apply (cancels, creates); no action starts after it.
    `network`: the network time of one command, every phase and call together (the
    wall time during which a request is in flight); `wait` and `apply --wait` poll
    under `--timeout` instead, and each `reconcile --watch` cycle has its own.
    """

    listing: float = 120.0
    apply_phase: float = 3600.0
    network: float = 120.0


class ProjectConfig(Model):
    """`tuneops.yaml`."""

    stack: str
    specs: str = "specs"
    lockfile: str = "tuneops.lock"
    defaults: Defaults = Defaults()
    vertex: VertexSettings = VertexSettings()
    gemini: ServiceSettings = ServiceSettings()
    storage: StorageSettings = StorageSettings()
    guards: Guards = Guards()
    pricing: Pricing = Pricing()
    timeouts: PhaseTimeouts = PhaseTimeouts()
    prune: bool = False
    # Read as plain data by `Project.model_policy` (tuneops.catalogue), not as a model.
    catalogue: dict[str, Any] | None = None

    @field_validator("vertex", mode="before")
    @classmethod
    def _plain_vertex_settings(cls, value: Any) -> Any:
        """Accepts plain `ServiceSettings` for `vertex`, as code written before staging does."""
        if isinstance(value, ServiceSettings) and not isinstance(value, VertexSettings):
            return value.model_dump()
        return value
