"""`tuneops import NAME RESOURCE`: adopt a job made outside tuneops under a spec."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_OK
from tuneops.console import Console
from tuneops.project.file import require_project
from tuneops.render.importing import ImportReport, render_import
from tuneops.runtime.importing import import_job as run_import

ASSUMED_TRAINING_DATA = "the Gemini API does not return training data; assumed to match"


def import_job(
    config: Path | None,
    name: str,
    resource: str,
    console: Console,
    fmt: Literal["text", "json"] = "text",
) -> int:
    """Records `resource` in the lockfile as the current revision of spec `name`
    (`runtime.importing.import_job`) and shows what was recorded."""
    done = run_import(require_project(config), name, resource)
    report = ImportReport(
        done.name,
        done.job,
        done.state,
        done.revision,
        labelled=done.labelled,
        changes=done.changes,
        unverified=ASSUMED_TRAINING_DATA if done.training_data_assumed else None,
    )
    render_import(report, fmt, console)
    return EXIT_OK
