"""What a reviewer approved: the changing actions of a plan, and how two such lists differ.

A plan's fingerprint moves with time (a job makes progress, a poll sees a new
state), so "apply what was reviewed" compares actions instead: for each create,
replace, retry and cancel, the spec name, its hash, the job it replaces or
cancels and the jobs it cancels on the way. Bookkeeping (promote, adopt,
forget) only records what already happened and is left out. Pure.

An offline plan (a pull request from a fork has no credentials) cannot look up
the `gs://` datasets, so it vouches only for the specs as written: a review of
one compares the actions that start jobs by their hash as written, without the
dataset pins. A review of an online plan compares the full hash, so a dataset
overwritten between review and merge still stops the apply.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tuneops.core.plan import CHANGES, Action, Plan
from tuneops.notes import Note, NoteCode, Severity


@dataclass(frozen=True, slots=True, order=True)
class ReviewedAction:
    """One change a reviewer saw, reduced to what must not move before apply."""

    kind: str
    name: str
    spec_hash: str = ""
    job: str = ""
    cancels: tuple[str, ...] = ()

    def to_data(self) -> list[Any]:
        """Compact JSON form (a list), small enough to travel in a comment."""
        return [self.kind, self.name, self.spec_hash, self.job, list(self.cancels)]

    @classmethod
    def from_data(cls, data: Sequence[Any]) -> ReviewedAction:
        """The action of its compact JSON form."""
        kind, name, spec_hash, job, cancels = data
        return cls(str(kind), str(name), str(spec_hash), str(job), tuple(map(str, cancels)))

    def note(self, code: NoteCode) -> Note:
        """A note about this action (the views word it: `render.wording.reviewed_action`)."""
        return Note.of(
            code,
            Severity.ERROR,
            kind=self.kind,
            name=self.name,
            specHash=self.spec_hash,
            job=self.job,
            cancels=self.cancels,
        )


def reviewed_actions(plan: Plan, as_written: bool = False) -> tuple[ReviewedAction, ...]:
    """The plan's changing actions, sorted; with `as_written`, the actions that start
    a job name the spec's hash without dataset pins (what an offline review saw)."""
    return tuple(
        sorted(
            ReviewedAction(
                a.kind.value, a.name, _hash(a, as_written), a.job or "", tuple(sorted(a.cancels))
            )
            for a in plan.actions
            if a.kind in CHANGES
        )
    )


def _hash(action: Action, as_written: bool) -> str:
    if as_written and action.kind.creates_job and action.written_hash:
        return action.written_hash
    return action.spec_hash or ""


def digest(actions: Iterable[ReviewedAction]) -> str:
    """A sha256 of the actions' canonical JSON: equal exactly when the actions are."""
    canonical = json.dumps([a.to_data() for a in sorted(actions)], separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def differences(
    reviewed: Sequence[ReviewedAction], current: Sequence[ReviewedAction]
) -> tuple[Note, ...]:
    """One note per action that was reviewed but is no longer planned, or the reverse."""
    before, after = set(reviewed), set(current)
    found = [a.note(NoteCode.REVIEW_ACTION_ADDED) for a in sorted(after - before)]
    found += [a.note(NoteCode.REVIEW_ACTION_DROPPED) for a in sorted(before - after)]
    return tuple(found)
