"""Rendering `tuneops apply`: the plan, a line per finished action, and the outcome.

The text view streams a line per action as it finishes; the JSON view prints one
document at the end, whatever the end was (applied, blocked, declined).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tuneops.console import Console
from tuneops.core.plan import Plan
from tuneops.render.document import json_document
from tuneops.render.plan import plan_data, render_text
from tuneops.render.wording import word
from tuneops.runtime.applier import Outcome

Result = Literal["applied", "failed", "blocked", "declined", "nothing-to-do"]


def outcome_line(outcome: Outcome, console: Console) -> str:
    """`  ✓ create   name: created …` (✗ in red when it failed)."""
    action = outcome.action
    mark = console.paint("✓", "green") if outcome.ok else console.paint("✗", "red")
    if outcome.queued:
        mark = console.paint("⏸", "yellow")
    return f"  {mark} {action.kind.value:<8} {action.name}: {word(outcome.detail)}"


def outcome_data(outcome: Outcome) -> dict[str, Any]:
    """The JSON object of one finished action."""
    data: dict[str, Any] = {
        "action": outcome.action.kind.value,
        "name": outcome.action.name,
        "ok": outcome.ok,
        "detail": word(outcome.detail),
        "detailCode": outcome.detail.code.value,
    }
    if outcome.job:
        data["job"] = outcome.job
    if outcome.queued:
        data["queued"] = True
    if outcome.attention:
        data["heldBack"] = True
    if outcome.gate is not None:
        data["gate"] = outcome.gate
    return data


class ApplyView(Protocol):
    """What `apply` shows, in the order it happens."""

    def plan(self, plan: Plan) -> None:
        """The plan about to be applied (before any confirmation)."""

    def outcome(self, outcome: Outcome) -> None:
        """One action finished (called from worker threads, one at a time)."""

    def finish(
        self, result: Result, plan: Plan, outcomes: Sequence[Outcome], lockfile: str
    ) -> None:
        """The apply is over (`apply --wait` waits after this)."""

    def close(self) -> None:
        """Everything is over, the wait included."""


@dataclass(slots=True)
class TextApplyView:
    """Human output: the plan, a line per action as it ends, one summary line."""

    console: Console

    def plan(self, plan: Plan) -> None:
        """Prints the plan."""
        self.console.result(render_text(plan, self.console.paint))

    def outcome(self, outcome: Outcome) -> None:
        """Prints the action's line at once."""
        self.console.result(outcome_line(outcome, self.console))

    def finish(
        self, result: Result, plan: Plan, outcomes: Sequence[Outcome], lockfile: str
    ) -> None:
        """Prints the summary (stdout) or why nothing was applied (stderr)."""
        if result == "blocked":
            self.console.note("error: guards block this plan; nothing was applied")
        elif result == "declined":
            self.console.note("apply cancelled; nothing was changed")
        elif result in ("applied", "failed"):
            failed = sum(1 for o in outcomes if not o.ok and not o.attention)
            held = sum(1 for o in outcomes if o.attention)
            queued = sum(1 for o in outcomes if o.queued)
            waiting = f"{queued} queued, " if queued else ""
            gated = f"{held} held back by a promotion gate, " if held else ""
            line = (
                f"Apply complete: {len(outcomes) - failed - held - queued} done, {waiting}"
                f"{gated}{failed} failed. Lockfile: {lockfile}"
            )
            colour = "red" if failed else "yellow" if held else "bold"
            self.console.result(self.console.paint(line, colour))

    def close(self) -> None:
        """Nothing more to say."""


@dataclass(slots=True)
class JsonApplyView:
    """One JSON document at the end: the plan, every outcome, the result, the wait."""

    console: Console
    body: dict[str, Any] = field(default_factory=dict)

    def plan(self, plan: Plan) -> None:
        """Nothing yet: the plan goes into the final document."""

    def outcome(self, outcome: Outcome) -> None:
        """Nothing yet: the document is printed whole."""

    def finish(
        self, result: Result, plan: Plan, outcomes: Sequence[Outcome], lockfile: str
    ) -> None:
        """Keeps what the document says (the wait may add to it)."""
        failed = sum(1 for o in outcomes if not o.ok and not o.attention)
        held = sum(1 for o in outcomes if o.attention)
        queued = sum(1 for o in outcomes if o.queued)
        summary = {"done": len(outcomes) - failed - held - queued, "queued": queued}
        if held:  # only when a gate held one back: the document is unchanged otherwise
            summary["heldBack"] = held
        self.body.update(
            result=result,
            plan=plan_data(plan),
            outcomes=[outcome_data(o) for o in outcomes],
            summary={**summary, "failed": failed},
            lockfile=lockfile,
        )

    def close(self) -> None:
        """Prints the document."""
        self.console.result(json_document("apply", self.body))


def apply_view(fmt: Literal["text", "json"], console: Console) -> ApplyView:
    """The view for `--format`."""
    return JsonApplyView(console) if fmt == "json" else TextApplyView(console)
