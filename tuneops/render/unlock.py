"""`tuneops force-unlock`: the question asked first, and what was removed."""

from __future__ import annotations

from tuneops.runtime.state_lock import FoundLock


def unlock_question(lock_id: str) -> str:
    """What force-unlock asks before it removes anything (as Terraform asks)."""
    return (
        f"Remove the shared lock {lock_id}? A run still holding it would lose it, and two "
        "machines could then change the stack at once. Only 'yes' is accepted: "
    )


def unlocked(removed: FoundLock) -> str:
    """The result line: which lock went, and who had held it."""
    return f"Removed the shared lock {removed.found.uri}; it was held ({removed.summary()})."
