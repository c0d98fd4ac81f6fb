"""`tuneops promote NAME --revision ID`: make a succeeded revision active by hand.

For a revision its promotion gate held back, or one a team wants back: the
lockfile records it as `promotedBy: manual` (and a failed gate as `overridden`),
so the record shows that a person, not the gate, decided. Only local files
change: the revision must be one the lockfile knows, in state succeeded (run
`tuneops reconcile --write-lock` first if the job finished since).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tuneops.core.transitions import record_promoted_by_hand
from tuneops.errors import UsageError
from tuneops.lockfile.file import Revision, read_lockfile, write_lockfile
from tuneops.project.file import Project
from tuneops.runtime.shared_state import DEFAULT_LOCK_TIMEOUT, locked_session
from tuneops.specs.kinds import JobState


class PromotionCode(str, enum.Enum):
    """What `promote` did (render/promotion.py words it)."""

    PROMOTED = "promoted"
    ALREADY_ACTIVE = "already-active"


@dataclass(frozen=True, slots=True)
class ManualPromotion:
    """The outcome: the revision now active, and the one it displaced."""

    code: PromotionCode
    name: str
    revision: Revision
    displaced: Revision | None = None


def matches(revision: Revision, given: str) -> bool:
    """`given` names `revision`: its full job name, or the id at its end."""
    return given in (revision.job, revision.job.rsplit("/", 1)[-1])


def promote_by_hand(
    project: Project, name: str, given: str, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> ManualPromotion:
    """Makes revision `given` of spec `name` active in the lockfile, under the
    checkout lock and (with `state:`) the shared one, as every lockfile writer."""
    with locked_session(project, "promote", lock_timeout):
        lockfile = read_lockfile(project.lockfile_path, project.config.stack)
        entry = lockfile.entries.get(name)
        if entry is None:
            raise UsageError(f"the lockfile has no spec named {name!r}")
        if entry.active is not None and matches(entry.active, given):
            return ManualPromotion(PromotionCode.ALREADY_ACTIVE, name, entry.active)
        pending = entry.pending
        if pending is None or not matches(pending, given):
            known = ", ".join(r.job for r in entry.revisions()) or "none"
            raise UsageError(
                f"spec {name!r} has no revision {given!r} in the lockfile (known: {known})"
            )
        if pending.state is not JobState.SUCCEEDED:
            raise UsageError(
                f"revision {pending.job} is {pending.state.value}, not succeeded; only a finished "
                "revision can serve (`tuneops reconcile --write-lock` records new states)"
            )
        write_lockfile(project.lockfile_path, record_promoted_by_hand(lockfile, name, pending))
        promoted = read_lockfile(project.lockfile_path, project.config.stack).entries[name]
        assert promoted.active is not None
        return ManualPromotion(PromotionCode.PROMOTED, name, promoted.active, entry.active)
