"""`tuneops validate`: check the configuration, specs and training data offline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tuneops.commands import EXIT_ERROR, EXIT_OK
from tuneops.console import Console
from tuneops.github.annotations import for_repository
from tuneops.github.reports import report_validate
from tuneops.render.validation import ValidateFormat, show_validation
from tuneops.runtime.validation import validate as check


def validate(
    paths: Sequence[Path], config: Path | None, fmt: ValidateFormat, console: Console
) -> int:
    """Reports every problem in the configuration, specs and training files
    (`runtime.validation.validate`); 0 when none."""
    found = check(paths, config)
    diagnostics = for_repository(found.diagnostics) if fmt == "github" else found.diagnostics
    report_validate(diagnostics, len(found.specs), len(found.files))
    show_validation(found, diagnostics, fmt, console)
    return EXIT_ERROR if found.errors else EXIT_OK
