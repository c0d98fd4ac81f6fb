"""`tuneops models`: the model catalogue, or (`--check`) where a project uses models that go."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from tuneops.catalogue import shipped_catalogue
from tuneops.commands import EXIT_ERROR, EXIT_OK
from tuneops.console import Console
from tuneops.errors import UsageError
from tuneops.project.file import DEFAULT_CONFIG, require_project
from tuneops.render.models import model_rows, render_check, show_catalogue
from tuneops.specs.model_checks import today_utc

Format = Literal["text", "json", "markdown"]


def models(
    config: Path | None, *, check: bool, as_of: str | None, fmt: Format, console: Console
) -> int:
    """Prints the catalogue (the project's, with its tuneops.yaml changes, where there is one),
    with each model's status on `as_of` (YYYY-MM-DD; today by default).

    With `check`: every spec and lockfile revision on a model near or past its
    shutdown; exit 1 when any is past.
    """
    try:
        day = date.fromisoformat(as_of) if as_of else today_utc()
    except ValueError:
        raise UsageError(f"--as-of {as_of}: not a date of the form YYYY-MM-DD") from None
    if check:
        from tuneops.runtime.model_usage import model_findings  # here: only --check reads specs

        project = require_project(config)
        findings = model_findings(project, day)
        catalogue = project.model_policy.catalogue
        console.result(render_check(findings, catalogue, "json" if fmt == "json" else "text"))
        return EXIT_ERROR if any(f.past for f in findings) else EXIT_OK
    in_project = config is not None or DEFAULT_CONFIG.is_file()
    catalogue = (
        require_project(config).model_policy.catalogue if in_project else shipped_catalogue()
    )
    show_catalogue(model_rows(catalogue, day), catalogue, day, fmt, console)
    return EXIT_OK
