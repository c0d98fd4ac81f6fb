"""`tuneops validate`'s view: the diagnostics in the chosen format, then a summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from tuneops.console import Console
from tuneops.diagnostics import Diagnostic
from tuneops.render.diagnostics import github_line, render_json, text_line
from tuneops.render.document import OUTPUT_FORMAT_VERSION
from tuneops.render.lines import validate_skipped, validate_summary
from tuneops.runtime.validation import Validation

ValidateFormat = Literal["text", "json", "github"]


def show_validation(
    found: Validation, diagnostics: Sequence[Diagnostic], fmt: ValidateFormat, console: Console
) -> None:
    """Writes `diagnostics` (the validation's, with paths as the format wants them)
    as one JSON document, or a line each, then the summary on stderr."""
    errors = found.errors
    if fmt == "json":
        specs = [
            {"name": s.name, "backend": s.backend.value, "specHash": s.spec_hash}
            for s in found.specs
        ]
        console.result(
            render_json(
                diagnostics,
                formatVersion=OUTPUT_FORMAT_VERSION,
                command="validate",
                valid=not errors,
                files=list(found.files),
                specs=specs,
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
    console.note(
        validate_summary(len(found.specs), len(found.files), len(errors), bad_files, warnings)
    )
