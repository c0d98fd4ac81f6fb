"""`tuneops wait`: block until the specs' jobs end, keeping the lockfile true meanwhile."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_ERROR, EXIT_OK, EXIT_TIMEOUT
from tuneops.console import Console
from tuneops.project.file import Project, require_project
from tuneops.render.apply import ApplyView, JsonApplyView
from tuneops.render.progress import (
    JsonProgressView,
    ProgressView,
    TextProgressView,
    WaitResult,
    progress_view,
)
from tuneops.runtime.inputs import load_local
from tuneops.runtime.session import RemoteSession
from tuneops.runtime.waiting import WaitOutcome, wait_for

_EXIT = {"succeeded": EXIT_OK, "failed": EXIT_ERROR, "timeout": EXIT_TIMEOUT}


def wait(
    config: Path | None,
    names: Sequence[str],
    *,
    timeout: float | None,
    poll_seconds: float,
    console: Console,
    fmt: Literal["text", "json"] = "text",
) -> int:
    """Blocks until the named specs' (or all specs') current jobs end.

    Exit 0 when all succeeded, 1 when any failed or was cancelled, 124 on timeout.
    """
    project = require_project(config)
    load_local(project)  # invalid specs stop before any remote call
    with RemoteSession(project, budgeted=False) as session:
        view = progress_view(fmt, console)
        outcome = wait_for(project, session, names, view.poll, timeout, poll_seconds)
        return _finish(view, outcome, timeout)


def wait_after_apply(
    project: Project,
    session: RemoteSession,
    names: Sequence[str],
    view: ApplyView,
    console: Console,
    *,
    timeout: float | None,
    poll_seconds: float,
) -> int:
    """`apply --wait`: progress on stderr, or the wait's result inside the apply
    document; apply keeps the checkout lock, and --timeout bounds the wait."""
    progress: ProgressView = TextProgressView(console)
    if isinstance(view, JsonApplyView):
        body = view.body
        progress = JsonProgressView(console, sink=lambda wait: body.update(wait=wait))
    with session.unbudgeted():
        outcome = wait_for(
            project, session, names, progress.poll, timeout, poll_seconds, lock_held=True
        )
        return _finish(progress, outcome, timeout)


def _finish(view: ProgressView, outcome: WaitOutcome, timeout: float | None) -> int:
    view.finish(WaitResult(outcome.end, outcome.jobs, timeout))
    return _EXIT[outcome.end]
