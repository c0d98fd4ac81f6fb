"""`tuneops status`: one row per spec, sync and health, from the remote services."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from tuneops.backends.transport.errors import CredentialsError, RemoteError
from tuneops.commands import EXIT_OK, names_given_as
from tuneops.console import Console
from tuneops.core.health import spec_statuses
from tuneops.core.plan import PlanOptions
from tuneops.core.planner import jobs_from_lockfile
from tuneops.project.file import require_project
from tuneops.render.health import show_status
from tuneops.render.lines import STATUS_NAMES, status_source, status_unreadable
from tuneops.runtime.inputs import compute_plan, gather
from tuneops.runtime.pinning import DatasetMissingError
from tuneops.runtime.session import RemoteSession

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def status(
    config: Path | None,
    names: Sequence[str],
    *,
    fmt: Literal["text", "json"],
    offline: bool,
    console: Console,
    now: Clock = _utc_now,
) -> int:
    """Prints where each spec (or each named one) stands."""
    project = require_project(config)
    inputs, problem = None, None
    if not offline:
        try:
            with RemoteSession(project) as session:
                inputs = gather(project, session)
                detailed = session.with_details(inputs.remote or ())
                inputs = dataclasses.replace(inputs, remote=detailed)
        except (RemoteError, CredentialsError, DatasetMissingError) as error:
            problem = str(error)
            console.note(status_unreadable(problem))
    if inputs is None:
        inputs = gather(project, None)
    with names_given_as(STATUS_NAMES):
        plan = compute_plan(inputs, PlanOptions(targets=tuple(names)))
    jobs = inputs.remote if inputs.remote is not None else jobs_from_lockfile(inputs.lockfile)
    rows = spec_statuses(inputs.specs, inputs.lockfile, jobs, plan, now())
    if names:
        rows = tuple(r for r in rows if r.name in names)
    listed = len(jobs) if inputs.remote is not None else None
    source = status_source(listed, project.config.stack, unreadable=problem is not None)
    notices = [n for n in plan.model_notices if not names or n.spec in names]
    show_status(rows, source, notices, fmt=fmt, details=bool(names), console=console)
    return EXIT_OK
