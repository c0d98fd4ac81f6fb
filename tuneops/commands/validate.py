"""`tuneops validate`: check the configuration, specs and training data offline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_ERROR, EXIT_OK
from tuneops.console import Console
from tuneops.github.annotations import for_repository
from tuneops.github.reports import report_validate
from tuneops.render.diagnostics import github_line, render_json, text_line
from tuneops.render.document import OUTPUT_FORMAT_VERSION
from tuneops.render.lines import validate_skipped, validate_summary
from tuneops.runtime.validation import validate as check

Format = Literal["text", "json", "github"]


def validate(paths: Sequence[Path], config: Path | None, fmt: Format, console: Console) -> int:
    """Reports every problem in the configuration, specs and training files
    (`runtime.validation.validate`); 0 when none."""
    found = check(paths, config)
    specs, files, errors = found.specs, found.files, found.errors
    diagnostics = for_repository(found.diagnostics) if fmt == "github" else found.diagnostics
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
    if found.skipped:
        console.note(validate_skipped(len(found.skipped)))
    bad_files = len({d.location.file for d in errors})
    warnings = len(diagnostics) - len(errors)
    console.note(validate_summary(len(specs), len(files), len(errors), bad_files, warnings))
    return EXIT_ERROR if errors else EXIT_OK
