"""`tuneops import NAME RESOURCE`: adopt a job made outside tuneops under a spec."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_OK
from tuneops.console import Console
from tuneops.project.file import require_project
from tuneops.render.importing import ImportReport, render_import
from tuneops.render.lines import ASSUMED_TRAINING_DATA
from tuneops.runtime.importing import import_job as run_import
from tuneops.runtime.shared_state import DEFAULT_LOCK_TIMEOUT


def import_job(
    config: Path | None,
    name: str,
    resource: str,
    console: Console,
    fmt: Literal["text", "json"] = "text",
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> int:
    """Records `resource` in the lockfile as the current revision of spec `name`
    (`runtime.importing.import_job`) and shows what was recorded."""
    done = run_import(require_project(config), name, resource, lock_timeout=lock_timeout)
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
