"""What each command leaves on a GitHub Actions runner: a summary and step outputs.

Commands call one of these with what they computed; off a runner they do nothing.
The `exit-code` output is written by the CLI once the command has ended, since
only it knows the final code (errors included).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from tuneops.diagnostics import Severity
from tuneops.github.environment import on_actions
from tuneops.github.step import publish

if TYPE_CHECKING:  # the views are imported on a runner only: start-up stays quick elsewhere
    from tuneops.core.drift import Drift
    from tuneops.core.plan import Plan
    from tuneops.diagnostics import Diagnostic


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class Finished(Protocol):
    """What a report reads of an applied action's outcome (`runtime.applier.Outcome`,
    which github/ may not import: runtime reaches Google's credentials)."""

    @property
    def action(self) -> _Named: ...

    @property
    def ok(self) -> bool: ...

    @property
    def attention(self) -> bool: ...


def _plan_outputs(plan: Plan) -> dict[str, str | int | bool]:
    return {
        "has-changes": plan.has_changes,
        "destructive": plan.destructive,
        "blocked": bool(plan.blocked),
    }


def report_plan(
    plan: Plan, plan_file: str | None, environ: Mapping[str, str] | None = None
) -> None:
    """`tuneops plan`: summary, and has-changes / destructive / blocked / plan-file."""
    if not on_actions(environ):
        return
    from tuneops.render.summary import plan_summary

    outputs = _plan_outputs(plan)
    if plan_file:
        outputs["plan-file"] = plan_file
    publish(plan_summary(plan, plan_file), outputs, environ)


def report_validate(
    diagnostics: Sequence[Diagnostic],
    specs: int,
    files: int,
    environ: Mapping[str, str] | None = None,
) -> None:
    """`tuneops validate`: summary, and the error count (validate never has changes)."""
    if not on_actions(environ):
        return
    from tuneops.render.summary import validate_summary

    outputs: dict[str, str | int | bool] = {
        "has-changes": False,
        "destructive": False,
        "blocked": False,
        "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
    }
    publish(validate_summary(diagnostics, specs, files), outputs, environ)


def report_apply(
    plan: Plan,
    outcomes: Sequence[Finished],
    lockfile: str,
    environ: Mapping[str, str] | None = None,
) -> None:
    """`tuneops apply`: summary, the plan's outputs, and applied / failed counts. A
    revision a promotion gate held back is counted apart, as the text and JSON
    summaries do: `held-back`, only when there are some."""
    if not on_actions(environ):
        return
    from tuneops.render.summary import apply_summary

    failed = [o.action.name for o in outcomes if not o.ok and not o.attention]
    held = [o.action.name for o in outcomes if o.attention]
    done = sum(1 for o in outcomes if o.ok)
    outputs = {**_plan_outputs(plan), "applied": done, "failed": len(failed)}
    if held:  # only then: the outputs of every other apply are unchanged
        outputs["held-back"] = len(held)
    publish(apply_summary(plan, done, failed, lockfile, held), outputs, environ)


def report_reconcile(
    plan: Plan,
    drift: Sequence[Drift],
    wrote_lock: bool,
    environ: Mapping[str, str] | None = None,
) -> None:
    """`tuneops reconcile`: summary, the waiting plan's outputs, and drift."""
    if not on_actions(environ):
        return
    from tuneops.render.summary import reconcile_summary

    outputs = {**_plan_outputs(plan), "drift": bool(drift), "drift-count": len(drift)}
    publish(reconcile_summary(plan, drift, wrote_lock), outputs, environ)


def report_exit_code(command: str, code: int, environ: Mapping[str, str] | None = None) -> None:
    """The `exit-code` output, and a summary line when the command failed outright."""
    if not on_actions(environ):
        return
    summary = None
    if code not in (0, 2, 3):
        from tuneops.render.summary import failure_summary

        summary = failure_summary(command, code)
    publish(summary, {"exit-code": code}, environ)
