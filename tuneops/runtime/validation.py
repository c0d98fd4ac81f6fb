"""Checking the configuration, specs and training data offline (`tuneops validate`).

Collect, then report: every file is checked and every problem gathered into one
`Validation`, which the command's view renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tuneops.diagnostics import Diagnostic, Severity, display_path
from tuneops.errors import ConfigError
from tuneops.project.file import Project, load_project
from tuneops.runtime.staging.bucket_check import missing_staging_bucket
from tuneops.specs.checked import CheckedSpec
from tuneops.specs.loader import check_specs
from tuneops.specs.recognise import is_config_file, sort_paths, training_file_problems


@dataclass(frozen=True, slots=True)
class Validation:
    """Every problem found, sorted; the valid specs; the spec files read; and the
    YAML files skipped because they hold no tuneops spec."""

    diagnostics: tuple[Diagnostic, ...]
    specs: tuple[CheckedSpec, ...]
    files: tuple[str, ...]
    skipped: tuple[Path, ...]

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics that are errors (the rest are warnings)."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]


def _project(
    config: Path | None, paths: Sequence[Path]
) -> tuple[Project | None, list[Diagnostic], Path | None]:
    """The project whose defaults apply, its problems, and which config file that was.

    With explicit paths and no configuration anywhere (a pre-commit hook in a
    repository without one), the specs are still checked on their own.
    """
    given = [p for p in paths if p.is_file() and is_config_file(p)]
    chosen = config or (None if Path("tuneops.yaml").is_file() or not given else given[0])
    try:
        project, problems = load_project(chosen)
    except ConfigError:
        if not paths:
            raise
        return None, [], None
    return project, problems, (chosen or Path("tuneops.yaml")).resolve()


def validate(paths: Sequence[Path], config: Path | None) -> Validation:
    """Every problem in the configuration, specs and training files.

    Explicit paths may be any files a commit touched: `tuneops.yaml` is checked
    as the configuration, `*.jsonl` as training data, and YAML files that are
    not tuneops specs are skipped.
    """
    project, diagnostics, loaded_config = _project(config, paths)
    given = sort_paths(paths, project.specs_dir if project else None)
    for other in given.configs:
        if other.resolve() != loaded_config:
            diagnostics += load_project(other)[1]
    for training in given.training_files:
        diagnostics += training_file_problems(training, display_path(training))
    root = project.root if project else (config.parent if config else Path())
    defaults = project.spec_defaults if project else None
    if paths:
        targets = list(given.specs)
    elif project:
        targets = [project.specs_dir]
    else:  # a broken config names no specs dir: check the conventional one if it is there
        targets = [d for d in [root / "specs"] if d.is_dir()]
    models = project.model_policy if project else None
    result = check_specs(targets, root, defaults, models) if targets or not paths else None
    specs = result.specs if result else ()
    files = result.files if result else ()
    if result:
        diagnostics += result.diagnostics
    if project:
        diagnostics += missing_staging_bucket(project, specs)
    # A JSONL file given directly may also be a spec's training data: report it once.
    unique = sorted(dict.fromkeys(diagnostics), key=Diagnostic.sort_key)
    return Validation(tuple(unique), tuple(specs), tuple(files), tuple(given.skipped))
