"""Rendering one `tuneops reconcile` cycle: what was recorded, what waits, the drift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from tuneops.console import Console
from tuneops.core.drift import Drift
from tuneops.core.plan import BOOKKEEPING, CHANGES, Plan
from tuneops.render.apply import outcome_data, outcome_line
from tuneops.render.document import json_document
from tuneops.render.plan import action_data, render_text
from tuneops.render.wording import DRIFT_LABELS, drift_message
from tuneops.runtime.applier import Outcome


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one cycle planned, did and found.

    `plan` holds what is still to report: with `--apply` only its bookkeeping,
    since the changes were applied and show as outcomes.
    """

    plan: Plan
    drift: tuple[Drift, ...]
    outcomes: tuple[Outcome, ...]
    written: bool
    blocked: bool


class ReconcileView(Protocol):
    """What `reconcile` shows, once per cycle."""

    def cycle(self, report: CycleReport) -> None:
        """One cycle is over."""


@dataclass(slots=True)
class TextReconcileView:
    """Outcome lines, then unwritten updates, waiting changes and drift."""

    console: Console

    def cycle(self, report: CycleReport) -> None:
        """Prints the cycle."""
        out, paint = self.console.result, self.console.paint
        if report.blocked:
            self.console.note("error: guards block the changes; only the lockfile is updated")
        for outcome in report.outcomes:
            out(outcome_line(outcome, self.console))
        bookkeeping, changes = report.plan.only(BOOKKEEPING), report.plan.only(CHANGES)
        if bookkeeping.actions and not report.written:
            out("Lockfile updates, not written (pass --write-lock to record them):")
            out(render_text(bookkeeping, paint))
        if changes.actions:
            out("Changes waiting for `tuneops apply`:")
            out(render_text(changes, paint))
        if report.drift:
            out(paint("Drift:", "yellow"))
            for item in report.drift:
                out(f"  ! {item.name}: {DRIFT_LABELS[item.kind]}: {drift_message(item)}")
        else:
            out("Drift: none.")


@dataclass(slots=True)
class JsonReconcileView:
    """One JSON document per cycle (JSON Lines with `--watch`)."""

    console: Console
    one_line: bool = False

    def cycle(self, report: CycleReport) -> None:
        """Prints the cycle's document."""
        bookkeeping, changes = report.plan.only(BOOKKEEPING), report.plan.only(CHANGES)
        body = {
            "lockfileWritten": report.written,
            "blocked": report.blocked,
            "outcomes": [outcome_data(o) for o in report.outcomes],
            "lockfileUpdates": []
            if report.written
            else [action_data(a) for a in bookkeeping.actions],
            "changes": [action_data(a) for a in changes.actions],
            "drift": [
                {"name": d.name, "kind": d.kind.value, "job": d.job, "message": drift_message(d)}
                for d in report.drift
            ],
        }
        self.console.result(json_document("reconcile", body, one_line=self.one_line))


def reconcile_view(fmt: Literal["text", "json"], console: Console, watch: bool) -> ReconcileView:
    """The view for `--format`; with `--watch`, JSON is one line per cycle."""
    return (
        JsonReconcileView(console, one_line=watch) if fmt == "json" else TextReconcileView(console)
    )
