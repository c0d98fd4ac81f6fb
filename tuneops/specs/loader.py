"""Loading every spec: discovery, envelope, schema, training data, names, hashes.

Collect, then report: every file is read and every problem is gathered; the
caller decides whether to render the diagnostics or to stop with a `SpecError`.
"""

from __future__ import annotations

import errno
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneops.datasets.example_format import conversation_jsonl
from tuneops.datasets.limits import ModelLimits, limits_for
from tuneops.datasets.methods import TuningMethod
from tuneops.datasets.scanner import DatasetRole, scan_file, scan_stream
from tuneops.datasets.shared_examples import LineBudget, TurnKeeper
from tuneops.diagnostics import Diagnostic, Location, Severity, display_path
from tuneops.errors import SpecError
from tuneops.specs import schemas
from tuneops.specs.checked import CheckedSpec
from tuneops.specs.hashing import canonical_data, spec_hash
from tuneops.specs.kinds import BackendKind, LocalDataset, SpecDefaults
from tuneops.specs.method_checks import method_problems
from tuneops.specs.model_checks import ModelPolicy, model_problems
from tuneops.specs.source import MAX_SPEC_BYTES, outside_root, read_text
from tuneops.specs.training_data import read_examples
from tuneops.specs.yaml_loader import YamlDocument, load_documents

if TYPE_CHECKING:
    from tuneops.specs.models import JobSpec

API_VERSION = "tuneops.dev/v1"
KIND = "TuningJob"
SPEC_SUFFIXES = (".yaml", ".yml")
_VERSION = re.compile(r"^tuneops\.dev/v(\d+)$")


def _errors(diagnostics: tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    return tuple(d for d in diagnostics if d.severity is Severity.ERROR)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The specs that passed every check, as plain data, and every problem found."""

    specs: tuple[CheckedSpec, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...] = field(default=())

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics that stop a run (warnings do not)."""
        return _errors(self.diagnostics)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The specs that loaded, and every problem found on the way."""

    specs: tuple[JobSpec, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...] = field(default=())

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics that stop a run (warnings do not)."""
        return _errors(self.diagnostics)

    def require_valid(self) -> tuple[JobSpec, ...]:
        """The specs, or a `SpecError` when any error was found (warnings pass)."""
        if self.errors:
            raise SpecError(self.errors)
        return self.specs


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """Spec files under `paths`: `*.yaml`/`*.yml`, recursively, hidden ones skipped.

    Nothing is skipped in silence: a spec left out would plan the cancel of its
    job. A symlink loop and a directory that cannot be listed are diagnostics at
    the entry; links to directories are not followed (as `Path.rglob` did not).
    """
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if _loops(path):
            problems.append(Diagnostic(Location(display_path(path)), _LOOP))
        elif path.is_file():
            found.append(path)
        elif path.is_dir():
            _walk(path, found, problems)
        elif path.exists():
            found.append(path)  # refused when read: not a regular file
        else:
            problems.append(Diagnostic(Location(display_path(path)), "no such file or directory"))
    return list(dict.fromkeys(found)), problems


_LOOP = (
    "symlink loop (too many levels of symbolic links); "
    "a spec file must be a regular file or a link to one"
)


def _loops(path: Path) -> bool:
    """`path` is a symlink that never ends in a file (ELOOP when followed)."""
    try:
        path.stat()
    except OSError as error:
        return error.errno == errno.ELOOP
    return False


def _walk(directory: Path, found: list[Path], problems: list[Diagnostic]) -> None:
    """Every spec file under `directory` into `found`, in sorted order; problems on the way."""
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        problems.append(
            Diagnostic(
                Location(display_path(directory)),
                f"cannot read directory: {error.strerror or error}; "
                "the specs in it would be missed",
            )
        )
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        candidate = directory / entry.name
        try:
            # Not through a link: a link to a directory is not walked (no loops).
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            _walk(candidate, found, problems)
        elif candidate.suffix in SPEC_SUFFIXES:
            if _loops(candidate):
                problems.append(Diagnostic(Location(display_path(candidate)), _LOOP))
            elif not candidate.is_dir():
                # A FIFO or device named like a spec is passed on, and refused
                # when read, rather than silently skipped.
                found.append(candidate)


def _envelope_problem(document: YamlDocument) -> Diagnostic | None:
    """Checks apiVersion and kind first: without them the rest means nothing."""
    data = document.data
    version = data.get("apiVersion")
    if isinstance(version, str) and version != API_VERSION:
        match = _VERSION.match(version)
        where = document.locate(("apiVersion",))
        if match and int(match.group(1)) > 1:
            return Diagnostic(
                where,
                f"apiVersion {version} is newer than this tuneops understands "
                f"({API_VERSION}); upgrade tuneops",
            )
        return Diagnostic(where, f"unknown apiVersion {version!r}; expected {API_VERSION}")
    kind = data.get("kind")
    if isinstance(kind, str) and kind != KIND:
        return Diagnostic(document.locate(("kind",)), f"unknown kind {kind!r}; expected {KIND}")
    return None


def _with_backend(data: dict[str, Any], backend: BackendKind) -> dict[str, Any]:
    """A copy whose spec names its backend, so the schema picks the right field set."""
    spec = data.get("spec")
    if not isinstance(spec, dict) or "backend" in spec:
        return data
    return {**data, "spec": {**spec, "backend": backend.value}}


class _DocumentLoader:
    """Turns one schema-valid document into a `CheckedSpec`, or into diagnostics.

    Works on the plain data the schema checked: no model is built here, so that
    `validate` need not import pydantic (issue 12, start-up).
    """

    def __init__(
        self,
        path: Path,
        project_root: Path,
        defaults: SpecDefaults | None,
        models: ModelPolicy,
        shared: LineBudget | None = None,
    ) -> None:
        self.path = path
        self.project_root = project_root  # already resolved by the caller
        self.defaults = defaults
        self.models = models
        self.shared = shared

    def _keeper(self, role: DatasetRole) -> TurnKeeper | None:
        """Where a training file's parsed examples go for countTokens, when shared."""
        if self.shared is None or role is not DatasetRole.TRAINING:
            return None
        return TurnKeeper(self.shared)

    def load(self, document: YamlDocument) -> tuple[CheckedSpec | None, list[Diagnostic]]:
        if document.data is None:
            return None, [Diagnostic(document.locate(()), "empty document")]
        if not isinstance(document.data, dict):
            message = "a spec must be a mapping with apiVersion, kind, metadata and spec"
            return None, [Diagnostic(document.locate(()), message)]
        envelope = _envelope_problem(document)
        if envelope is not None:
            return None, [envelope]
        backend = self.defaults.backend if self.defaults else BackendKind.VERTEX
        data = _with_backend(document.data, backend)
        problems = schemas.check("spec", document, data)
        if problems:
            return None, problems
        metadata: dict[str, Any] = data["metadata"]
        spec, problems = self._resolve(data["spec"], document)
        problems += model_problems(spec, document, self.models)
        problems += method_problems(spec, document, self.models)
        examples, data_problems = self._examples(spec, document)
        problems += data_problems
        datasets, data_problems = self._vertex_datasets(spec, document)
        problems += data_problems
        warnings = [d for d in problems if d.severity is Severity.WARNING]
        if len(warnings) < len(problems) or self.defaults is None:
            return None, problems
        canonical = canonical_data(spec, examples, datasets)
        checked = CheckedSpec(
            name=metadata["name"],
            labels=metadata.get("labels") or {},
            data=spec,
            examples=examples,
            canonical=canonical,
            spec_hash=spec_hash(canonical),
            source=document.locate(("metadata", "name")),
            local_datasets=datasets,
        )
        return checked, warnings

    def _resolve(
        self, spec: dict[str, Any], document: YamlDocument
    ) -> tuple[dict[str, Any], list[Diagnostic]]:
        """Fills project and location from the defaults; a Vertex job needs both."""
        if spec["backend"] != BackendKind.VERTEX.value or self.defaults is None:
            return spec, []
        project = spec.get("project") or self.defaults.project
        location = spec.get("location") or self.defaults.location
        problems = [
            Diagnostic(
                document.locate(("spec", field)),
                f"no {field}: set spec.{field}, or defaults.{field} in tuneops.yaml",
            )
            for field, value in (("project", project), ("location", location))
            if value is None
        ]
        return {**spec, "project": project, "location": location}, problems

    def _examples(
        self, spec: Mapping[str, Any], document: YamlDocument
    ) -> tuple[tuple[Mapping[str, str], ...], list[Diagnostic]]:
        if spec["backend"] != BackendKind.GEMINI.value:
            return (), []
        training: Mapping[str, Any] = spec["trainingData"]
        if training.get("examples") is not None:
            return tuple(training["examples"]), []
        relative = training.get("file") or ""
        target = self._local_file(relative, document, ("spec", "trainingData", "file"))
        if isinstance(target, Diagnostic):
            return (), [target]
        return read_examples(target, display_path(target), self.project_root)

    def _local_file(
        self, relative: str, document: YamlDocument, field: tuple[str, ...]
    ) -> Path | Diagnostic:
        """The file a spec names, if it exists inside the project."""
        target = (self.path.parent / relative).resolve()
        where = document.locate(field)
        if outside_root(target, self.project_root):
            return Diagnostic(where, f"{relative!r} is outside the project directory")
        if not target.is_file():
            kind = "validation data" if field[-2] == "validationData" else "training data"
            return Diagnostic(where, f"{kind} file {relative!r} does not exist")
        return target

    def _vertex_datasets(
        self, spec: Mapping[str, Any], document: YamlDocument
    ) -> tuple[tuple[LocalDataset, ...], list[Diagnostic]]:
        """Checks the local dataset files of a Vertex spec, streaming each one."""
        if spec["backend"] != BackendKind.VERTEX.value:
            return (), []
        # Continuous tuning names no base model: the current generation's limits apply.
        limits = limits_for(spec.get("baseModel") or "", self.models.catalogue)
        method = TuningMethod(spec.get("method") or TuningMethod.SUPERVISED.value)
        datasets: list[LocalDataset] = []
        problems: list[Diagnostic] = []
        named = (
            (DatasetRole.TRAINING, "trainingData"),
            (DatasetRole.VALIDATION, "validationData"),
        )
        for role, key in named:
            dataset = spec.get(key)
            if dataset is None:
                continue
            if dataset.get("examples") is not None:
                found, scanned = self._inline_dataset(dataset["examples"], document, limits)
                datasets.append(found)
                problems += scanned
                continue
            target = self._local_file(dataset["file"], document, ("spec", key, "file"))
            if isinstance(target, Diagnostic):
                problems.append(target)
                continue
            shown = display_path(target)
            keeper = self._keeper(role)
            scan = scan_file(target, shown, role, limits, method=method, sink=keeper)
            problems += scan.diagnostics
            summary = scan.summary
            datasets.append(
                LocalDataset(
                    role=role.value,
                    path=target,
                    display=shown,
                    sha256=summary.sha256,
                    size_bytes=summary.size_bytes,
                    examples=summary.examples,
                    estimated_tokens=summary.estimated_tokens,
                    turns=keeper.turns() if keeper else None,
                )
            )
        return tuple(datasets), problems

    def _inline_dataset(
        self, examples: Sequence[Mapping[str, str]], document: YamlDocument, limits: ModelLimits
    ) -> tuple[LocalDataset, list[Diagnostic]]:
        """Inline Gemini-style examples of a Vertex spec, converted to JSONL and checked;
        each problem points at its example (line N of the JSONL is examples[N-1])."""
        content = conversation_jsonl(examples)
        shown = f"{document.file}#trainingData.examples"
        keeper = self._keeper(DatasetRole.TRAINING)
        scan = scan_stream(io.BytesIO(content), shown, DatasetRole.TRAINING, limits, sink=keeper)
        field = ("spec", "trainingData", "examples")
        problems = [
            Diagnostic(
                document.locate((*field, d.location.line - 1) if d.location.line else field),
                d.message,
                d.severity,
            )
            for d in scan.diagnostics
        ]
        summary = scan.summary
        dataset = LocalDataset(
            role=DatasetRole.TRAINING.value,
            path=self.path,
            display=shown,
            sha256=summary.sha256,
            size_bytes=summary.size_bytes,
            examples=summary.examples,
            estimated_tokens=summary.estimated_tokens,
            content=content,
            turns=keeper.turns() if keeper else None,
        )
        return dataset, problems


def _duplicate_names(specs: Sequence[CheckedSpec]) -> list[Diagnostic]:
    """One diagnostic at every definition of a name defined more than once."""
    by_name: dict[str, list[CheckedSpec]] = {}
    for job in specs:
        by_name.setdefault(job.name, []).append(job)
    problems = []
    for name, jobs in by_name.items():
        if len(jobs) < 2:
            continue
        for job in jobs:
            others = ", ".join(
                f"{o.source.file}:{o.source.line}:{o.source.column}" for o in jobs if o is not job
            )
            problems.append(
                Diagnostic(job.source, f"duplicate name {name!r}; also defined at {others}")
            )
    return problems


def check_specs(
    paths: Iterable[Path],
    project_root: Path,
    defaults: SpecDefaults | None,
    models: ModelPolicy | None = None,
    share_examples: bool = False,
) -> CheckResult:
    """Checks and hashes every spec under `paths` together, without building models.

    With `defaults` None (the configuration itself is broken) each file is
    still checked on its own, but nothing that needs the defaults is. `models`
    holds base models to the catalogue (the shipped one, today, by default).
    With `share_examples`, local training files keep their parsed examples for
    countTokens (`LocalDataset.turns`) within one budget for the whole load.
    """
    shared = LineBudget() if share_examples else None
    models = models or ModelPolicy()
    files, diagnostics = discover(paths)
    specs: list[CheckedSpec] = []
    shown_files: list[str] = []
    root = project_root.resolve()  # once, not once per file
    for path in files:
        shown = display_path(path)
        shown_files.append(shown)
        text = read_text(path, shown, MAX_SPEC_BYTES, root=root)
        if isinstance(text, Diagnostic):
            diagnostics.append(text)
            continue
        documents, problems = load_documents(text, shown)
        diagnostics += problems
        if not documents and not problems:
            diagnostics.append(Diagnostic(Location(shown, 1, 1), "file holds no documents"))
        loader = _DocumentLoader(path, root, defaults, models, shared)
        for document in documents:
            checked, problems = loader.load(document)
            diagnostics += problems
            if checked is not None:
                specs.append(checked)
    diagnostics += _duplicate_names(specs)
    specs.sort(key=lambda job: job.name)
    return CheckResult(
        tuple(specs),
        tuple(sorted(diagnostics, key=Diagnostic.sort_key)),
        tuple(shown_files),
    )


def load_specs(
    paths: Iterable[Path],
    project_root: Path,
    defaults: SpecDefaults | None,
    models: ModelPolicy | None = None,
    share_examples: bool = False,
) -> LoadResult:
    """Loads every spec under `paths` and checks them together: `check_specs`, then models."""
    from tuneops.specs.building import job_spec  # here: validate needs no pydantic

    checked = check_specs(paths, project_root, defaults, models, share_examples)
    specs: list[JobSpec] = []
    diagnostics = list(checked.diagnostics)
    for spec in checked.specs:
        job = job_spec(spec)
        if isinstance(job, Diagnostic):
            diagnostics.append(job)
        else:
            specs.append(job)
    return LoadResult(
        tuple(specs), tuple(sorted(diagnostics, key=Diagnostic.sort_key)), checked.files
    )
