"""The project configuration, `tuneops.yaml`, validated like a spec."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError, field_validator

from tuneops.diagnostics import Diagnostic, Location, display_path
from tuneops.errors import ConfigError, SpecError
from tuneops.specs import schemas
from tuneops.specs.models import Defaults, Model
from tuneops.specs.source import outside_root, read_text
from tuneops.specs.yaml_loader import load_documents

DEFAULT_CONFIG = Path("tuneops.yaml")
MAX_CONFIG_BYTES = 1024 * 1024
EMBEDDED = "embedded"


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
    """`vertex:`; `staging_bucket` is where local datasets are uploaded (`gs://b[/prefix]`)."""

    staging_bucket: str | None = None


class Guards(Model):
    """Limits that block a plan unless raised on the command line."""

    max_cancel: int = 5
    max_create: int = 20
    max_cost: float | None = None


class PhaseTimeouts(Model):
    """`timeouts:`: seconds a phase of a command may take, all its calls together.

    `listing`: listing the stack's jobs in every place (plan, apply, status, wait);
    `apply_phase`: each phase of an apply (cancels, creates); no action starts after it.
    """

    listing: float = 600.0
    apply_phase: float = 3600.0


class Pricing(Model):
    """`pricing:`: prices per million training tokens, by base model (over the defaults)."""

    currency: str = "USD"
    training_per_million_tokens: dict[str, float] | None = None


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

    @field_validator("vertex", mode="before")
    @classmethod
    def _plain_vertex_settings(cls, value: Any) -> Any:
        """Accepts plain `ServiceSettings` for `vertex`, as code written before staging does."""
        if isinstance(value, ServiceSettings) and not isinstance(value, VertexSettings):
            return value.model_dump()
        return value


@dataclass(frozen=True, slots=True)
class Project:
    """A loaded configuration and the directory its relative paths start from."""

    config: ProjectConfig
    root: Path
    config_file: str

    @property
    def specs_dir(self) -> Path:
        """The directory holding the spec files."""
        return self.root / self.config.specs

    @property
    def lockfile_path(self) -> Path:
        """The lockfile path."""
        return self.root / self.config.lockfile


def load_project(explicit: Path | None) -> tuple[Project | None, list[Diagnostic]]:
    """Reads and validates the configuration; returns it or the problems found.

    A missing file is not a diagnostic but a `ConfigError`: there is nothing to
    point at, only a next step to suggest.
    """
    path = explicit or DEFAULT_CONFIG
    if explicit is not None and not path.is_file():
        # The user named the file: suggesting --config to them would go in circles.
        what = "is a directory" if path.is_dir() else "no such file"
        raise ConfigError(f"--config {path}: {what}")
    if not path.is_file():
        raise ConfigError(
            f"no configuration file {Path.cwd() / path}; create one with `tuneops init`, "
            "or pass --config FILE or -C DIR"
        )
    shown = display_path(path)
    text = read_text(path, shown, MAX_CONFIG_BYTES)
    if isinstance(text, Diagnostic):
        return None, [text]
    documents, problems = load_documents(text, shown)
    if problems:
        return None, problems
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        start = documents[1].start if len(documents) > 1 else None
        line, column = (start.line, start.column) if start else (1, 1)
        message = "must hold exactly one YAML mapping (stack, specs, defaults, ...)"
        return None, [Diagnostic(Location(shown, line, column), message)]
    document = documents[0]
    problems = schemas.check("config", document, document.data)
    if problems:
        return None, problems
    try:
        config = ProjectConfig.model_validate(document.data)
    except ValidationError as error:  # the schema should have caught it: say where anyway
        return None, [Diagnostic(document.locate(()), f"invalid configuration: {error}")]
    escapes = [
        Diagnostic(
            document.locate((key,)),
            f"{value!r} resolves outside the project directory; the specs and the lockfile "
            "must stay inside it (symlinks included)",
        )
        for key, value in (("specs", config.specs), ("lockfile", config.lockfile))
        if outside_root(path.parent / value, path.parent)
    ]
    if escapes:
        return None, escapes
    return Project(config, path.parent, shown), []


def require_project(explicit: Path | None) -> Project:
    """The configuration, or a `SpecError` listing every problem in it."""
    project, problems = load_project(explicit)
    if project is None:
        raise SpecError(problems)
    return project
