"""The plan's guards: limits on how much one plan may start or stop. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tuneops.core.plan import Action, ActionKind, PlanOptions
from tuneops.notes import Note, NoteCode, Severity
from tuneops.specs.models import JobSpec


def guarded(
    actions: list[Action],
    specs: Sequence[JobSpec],
    options: PlanOptions,
    approved: frozenset[str] = frozenset(),
) -> list[Action]:
    """Blocks every action of a kind whose count exceeds its guard.

    `maxCreate` counts the starts of this plan, queued ones included (they are
    what it commits to), except those of the specs in `approved`: starts queued
    by an earlier apply, whose guards counted them already.
    """

    def block(action: Action, reason: Note) -> Action:
        return action if action.blocked else replace(action, blocked=reason)

    stopping = (ActionKind.CANCEL, ActionKind.DELETE)
    cancels = sum((1 if a.kind in stopping else 0) + len(a.cancels) for a in actions)
    creates = sum(1 for a in actions if a.kind.creates_job and a.name not in approved)
    guarded: list[Action] = []
    for action in actions:
        if action.destructive and not specs and not options.allow_empty and not options.targets:
            action = block(action, Note.of(NoteCode.BLOCKED_EMPTY_SPECS, Severity.ERROR))
        if action.destructive and cancels > options.max_cancel:
            limit = options.max_cancel
            too_many = Note.of(
                NoteCode.BLOCKED_MAX_CANCEL, Severity.ERROR, count=cancels, limit=limit
            )
            action = block(action, too_many)
        if action.kind.creates_job and action.name not in approved and creates > options.max_create:
            limit = options.max_create
            too_many = Note.of(
                NoteCode.BLOCKED_MAX_CREATE, Severity.ERROR, count=creates, limit=limit
            )
            action = block(action, too_many)
        guarded.append(action)
    return guarded
