"""The plan's guards: limits on how much one plan may start or stop. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tuneops.core.plan import Action, ActionKind, PlanOptions
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

    def block(action: Action, reason: str) -> Action:
        return action if action.blocked else replace(action, blocked=reason)

    stopping = (ActionKind.CANCEL, ActionKind.DELETE)
    cancels = sum((1 if a.kind in stopping else 0) + len(a.cancels) for a in actions)
    creates = sum(1 for a in actions if a.kind.creates_job and a.name not in approved)
    guarded: list[Action] = []
    for action in actions:
        if action.destructive and not specs and not options.allow_empty and not options.targets:
            action = block(
                action,
                "no specs were found but the stack has live jobs; "
                "pass --allow-empty to cancel them all",
            )
        if action.destructive and cancels > options.max_cancel:
            action = block(
                action,
                f"{cancels} cancels exceed guards.maxCancel ({options.max_cancel}); "
                f"pass --max-cancel {cancels} to allow them",
            )
        if action.kind.creates_job and action.name not in approved and creates > options.max_create:
            action = block(
                action,
                f"{creates} new jobs exceed guards.maxCreate ({options.max_create}); "
                f"pass --max-create {creates} to allow them",
            )
        guarded.append(action)
    return guarded
