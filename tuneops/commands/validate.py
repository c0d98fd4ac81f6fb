"""`tuneops validate`: check the configuration and specs offline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from tuneops.console import Console
from tuneops.diagnostics import Diagnostic
from tuneops.project import load_project
from tuneops.render.diagnostics import github_line, render_json, text_line
from tuneops.runtime.staging import missing_staging_bucket
from tuneops.specs.loader import load_specs

Format = Literal["text", "json", "github"]


def validate(paths: Sequence[Path], config: Path | None, fmt: Format, console: Console) -> int:
    """Reports every problem in the configuration and the specs; 0 when there is none."""
    project, diagnostics = load_project(config)
    root = project.root if project else (config.parent if config else Path())
    defaults = project.config.defaults if project else None
    if paths:
        targets = list(paths)
    elif project:
        targets = [project.specs_dir]
    else:  # a broken config names no specs dir: check the conventional one if it is there
        targets = [d for d in [root / "specs"] if d.is_dir()]
    result = load_specs(targets, root, defaults)
    if project:
        diagnostics += missing_staging_bucket(project, result.specs)
    diagnostics = sorted([*diagnostics, *result.diagnostics], key=Diagnostic.sort_key)
    if fmt == "json":
        console.result(
            render_json(
                diagnostics,
                valid=not diagnostics,
                files=list(result.files),
                specs=[
                    {"name": s.name, "backend": s.backend.value, "specHash": s.spec_hash}
                    for s in result.specs
                ],
            )
        )
    else:
        line = github_line if fmt == "github" else text_line
        for diagnostic in diagnostics:
            console.result(line(diagnostic))
    if diagnostics:
        bad_files = len({d.location.file for d in diagnostics})
        console.note(f"{_plural(len(diagnostics), 'error')} in {_plural(bad_files, 'file')}")
        return 1
    specs, files = len(result.specs), len(result.files)
    console.note(f"ok: {_plural(specs, 'spec')} in {_plural(files, 'file')}, all valid")
    return 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
