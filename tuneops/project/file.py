"""The project configuration, `tuneops.yaml`, validated like a spec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tuneops.catalogue import shipped_catalogue, with_changes
from tuneops.diagnostics import Diagnostic, Location, display_path
from tuneops.errors import ConfigError, SpecError
from tuneops.specs import schemas
from tuneops.specs.kinds import BackendKind, PlainDefaults
from tuneops.specs.model_checks import ModelPolicy, today_utc
from tuneops.specs.source import outside_root, read_text
from tuneops.specs.yaml_loader import load_documents

if TYPE_CHECKING:
    from tuneops.project.settings import (
        ProjectConfig,
    )

DEFAULT_CONFIG = Path("tuneops.yaml")
MAX_CONFIG_BYTES = 1024 * 1024
EMBEDDED = "embedded"
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})


def loopback_address(url: str) -> tuple[str, int] | None:
    """(host, port) of `url` when its host is a loopback address or name, else None."""
    try:
        parts = urlsplit(url.replace("{location}", "location"))
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    if host.lower() not in LOCAL_NAMES:
        import ipaddress  # here: validate starts quickly, and seldom gets this far

        try:
            if not ipaddress.ip_address(host).is_loopback:
                return None
        except ValueError:
            return None
    return host, port or (443 if parts.scheme == "https" else 80)


def is_emulator_endpoint(endpoint: str | None) -> bool:
    """Whether `endpoint` (a tuneops.yaml `endpoint`) is an emulator: embedded or loopback."""
    return endpoint is not None and (endpoint == EMBEDDED or loopback_address(endpoint) is not None)


@dataclass(frozen=True, slots=True)
class Project:
    """A loaded configuration and the directory its relative paths start from."""

    data: Mapping[str, Any]
    root: Path
    config_file: str
    _config: ProjectConfig | None = field(default=None, init=False, repr=False, compare=False)
    _models: ModelPolicy | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def config(self) -> ProjectConfig:
        """The typed configuration, built on first use (`validate` never needs it)."""
        if self._config is None:
            from tuneops.project.settings import ProjectConfig  # here, not at the top: start-up

            # The schema passed: a model that refuses the data is a bug, not a user error.
            object.__setattr__(self, "_config", ProjectConfig.model_validate(self.data))
        assert self._config is not None
        return self._config

    @property
    def model_policy(self) -> ModelPolicy:
        """The model catalogue with this project's `catalogue:` changes, which backends
        point at an emulator, and today (so a long `reconcile --watch` moves with the
        calendar); the catalogue is built once, from the checked data."""
        if self._models is None:
            catalogue = with_changes(shipped_catalogue(), self.data.get("catalogue"))
            emulated = frozenset(
                kind.value
                for kind in BackendKind
                if is_emulator_endpoint((self.data.get(kind.value) or {}).get("endpoint"))
            )
            object.__setattr__(self, "_models", ModelPolicy(catalogue, emulated=emulated))
        assert self._models is not None
        return replace(self._models, today=today_utc())

    @property
    def specs_dir(self) -> Path:
        """The directory holding the spec files."""
        return self.root / str(self.data.get("specs", "specs"))

    @property
    def lockfile_path(self) -> Path:
        """The lockfile path."""
        return self.root / str(self.data.get("lockfile", "tuneops.lock"))

    @property
    def spec_defaults(self) -> PlainDefaults:
        """`defaults:`, read from the checked data without building the model."""
        defaults = self.data.get("defaults") or {}
        backend = defaults.get("backend")
        return PlainDefaults(
            BackendKind(backend) if backend else BackendKind.VERTEX,
            defaults.get("project"),
            defaults.get("location"),
        )

    @property
    def staging_bucket(self) -> str | None:
        """`vertex.stagingBucket`, read from the checked data."""
        bucket = (self.data.get("vertex") or {}).get("stagingBucket")
        return bucket if isinstance(bucket, str) else None


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
    data: dict[str, Any] = document.data
    escapes = [
        Diagnostic(
            document.locate((key,)),
            f"{value!r} resolves outside the project directory; the specs and the lockfile "
            "must stay inside it (symlinks included)",
        )
        for key, value in (
            ("specs", data.get("specs", "specs")),
            ("lockfile", data.get("lockfile", "tuneops.lock")),
        )
        if outside_root(path.parent / value, path.parent)
    ]
    if escapes:
        return None, escapes
    return Project(data, path.parent, shown), []


def require_project(explicit: Path | None) -> Project:
    """The configuration, or a `SpecError` listing every problem in it."""
    project, problems = load_project(explicit)
    if project is None:
        raise SpecError(problems)
    from pydantic import ValidationError  # here, not at the top: start-up

    try:
        project.config  # noqa: B018 - built now, so that a refusal is a diagnostic
    except ValidationError as error:  # the schema should have caught it: say where anyway
        where = Location(project.config_file, 1, 1)
        raise SpecError([Diagnostic(where, f"invalid configuration: {error}")]) from None
    return project


__all__ = [
    "DEFAULT_CONFIG",
    "EMBEDDED",
    "MAX_CONFIG_BYTES",
    "Project",
    "load_project",
    "require_project",
]
