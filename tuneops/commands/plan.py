"""`tuneops plan`: show what apply would do, optionally saving it for `apply FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_BLOCKED, EXIT_CHANGES, EXIT_OK
from tuneops.console import Console
from tuneops.core.plan import Plan
from tuneops.project import require_project
from tuneops.render.plan import render_markdown, render_text
from tuneops.runtime.inputs import PlanFlags, compute_plan, gather, plan_options
from tuneops.runtime.session import RemoteSession

Format = Literal["text", "json", "markdown"]


def plan_exit_code(plan: Plan, detailed_exitcode: bool) -> int:
    """3 when a guard blocks the plan; 2 for pending changes with --detailed-exitcode."""
    if plan.blocked:
        return EXIT_BLOCKED
    if detailed_exitcode and plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


def show(plan: Plan, fmt: Format, console: Console) -> None:
    """Writes the plan to stdout in `fmt`."""
    if fmt == "json":
        console.out.write(plan.to_json())
    elif fmt == "markdown":
        console.out.write(render_markdown(plan))
    else:
        console.result(render_text(plan, console.paint))
    console.out.flush()


def plan(
    config: Path | None,
    *,
    out: Path | None,
    fmt: Format,
    detailed_exitcode: bool,
    offline: bool,
    flags: PlanFlags,
    console: Console,
) -> int:
    """Computes the plan, prints it, and saves it to `out` when asked."""
    project = require_project(config)
    options = plan_options(project, flags)
    if offline:
        result = compute_plan(gather(project, None), options)
    else:
        with RemoteSession(project) as session:
            result = compute_plan(gather(project, session), options)
    show(result, fmt, console)
    if out is not None:
        out.write_text(result.to_json(), encoding="utf-8")
        console.note(f"saved the plan to {out}; apply exactly this plan with `tuneops apply {out}`")
    return plan_exit_code(result, detailed_exitcode)
