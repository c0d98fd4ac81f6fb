"""`tuneops force-unlock LOCK_ID`: remove a shared lock whose holder is gone."""

from __future__ import annotations

import sys
from pathlib import Path

from tuneops.commands import EXIT_ERROR, EXIT_OK
from tuneops.console import Console
from tuneops.errors import UsageError
from tuneops.project.file import require_project
from tuneops.render.lines import NOTHING_UNLOCKED
from tuneops.render.unlock import unlock_question, unlocked
from tuneops.runtime.session import RemoteSession
from tuneops.runtime.shared_state import force_unlock as remove_lock


def force_unlock(
    config: Path | None,
    lock_id: str,
    *,
    force: bool,
    console: Console,
    interactive: bool | None = None,
) -> int:
    """Removes the stack's shared lock if `lock_id` names it, after confirmation."""
    project = require_project(config)
    if not force:
        if not (sys.stdin.isatty() if interactive is None else interactive):
            raise UsageError("force-unlock needs --force when it cannot ask for confirmation")
        if console.ask(unlock_question(lock_id)) != "yes":
            console.note(NOTHING_UNLOCKED)
            return EXIT_ERROR
    with RemoteSession(project) as session:
        removed = remove_lock(project, session, lock_id)
    console.result(unlocked(removed))
    return EXIT_OK
