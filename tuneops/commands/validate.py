"""`tuneops validate`: check the configuration, specs and training data offline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from tuneops.console import Console
from tuneops.diagnostics import Diagnostic, Severity, display_path
from tuneops.errors import ConfigError
from tuneops.github.annotations import for_repository
from tuneops.github.reports import report_validate
from tuneops.project.file import Project, load_project
from tuneops.render.diagnostics import github_line, render_json, text_line
from tuneops.render.document import OUTPUT_FORMAT_VERSION
from tuneops.render.markdown import plural
from tuneops.runtime.staging.bucket_check import missing_staging_bucket
from tuneops.specs.loader import check_specs
from tuneops.specs.recognise import is_config_file, sort_paths, training_file_problems

Format = Literal["text", "json", "github"]


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


def validate(paths: Sequence[Path], config: Path | None, fmt: Format, console: Console) -> int:
    """Reports every problem in the configuration, specs and training files; 0 when none.

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
    diagnostics = sorted(dict.fromkeys(diagnostics), key=Diagnostic.sort_key)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if fmt == "github":
        diagnostics = for_repository(diagnostics)
    report_validate(diagnostics, len(specs), len(files))
    if fmt == "json":
        console.result(
            render_json(
                diagnostics,
                formatVersion=OUTPUT_FORMAT_VERSION,
                command="validate",
                valid=not errors,
                files=list(files),
                specs=[
                    {"name": s.name, "backend": s.backend.value, "specHash": s.spec_hash}
                    for s in specs
                ],
            )
        )
    else:
        line = github_line if fmt == "github" else text_line
        for diagnostic in diagnostics:
            console.result(line(diagnostic))
    if given.skipped:
        console.note(f"skipped {plural(len(given.skipped), 'YAML file')} without a tuneops spec")
    warned = (
        f", {plural(len(diagnostics) - len(errors), 'warning')}"
        if len(errors) < len(diagnostics)
        else ""
    )
    if errors:
        bad_files = len({d.location.file for d in errors})
        console.note(f"{plural(len(errors), 'error')} in {plural(bad_files, 'file')}{warned}")
        return 1
    console.note(
        f"ok: {plural(len(specs), 'spec')} in {plural(len(files), 'file')}, all valid{warned}"
    )
    return 0
