"""`tuneops promote NAME --revision ID`: make a succeeded revision active by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_OK
from tuneops.console import Console
from tuneops.project.file import require_project
from tuneops.render.promotion import show_promotion
from tuneops.runtime.manual_promotion import promote_by_hand
from tuneops.runtime.shared_state import DEFAULT_LOCK_TIMEOUT


def promote(
    config: Path | None,
    name: str,
    revision: str,
    console: Console,
    fmt: Literal["text", "json"] = "text",
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> int:
    """Records revision `revision` of spec `name` as active, promoted by hand."""
    result = promote_by_hand(require_project(config), name, revision, lock_timeout)
    show_promotion(result, fmt, console)
    return EXIT_OK
