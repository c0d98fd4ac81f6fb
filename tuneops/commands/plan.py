"""`tuneops plan`: show what apply would do, optionally saving it for `apply FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from tuneops.commands import names_given_as
from tuneops.console import Console
from tuneops.core.plan import Plan
from tuneops.errors import UsageError
from tuneops.github.reports import report_plan
from tuneops.project.file import require_project
from tuneops.render.lines import TARGET_FLAG, saved_plan
from tuneops.render.plan import plan_json
from tuneops.render.plan_view import plan_view
from tuneops.runtime.inputs import PlanFlags, compute_plan, gather, plan_options
from tuneops.runtime.session import RemoteSession

Format = Literal["text", "json", "markdown"]


def show(plan: Plan, fmt: Format, console: Console) -> None:
    """Writes the plan to stdout in `fmt`."""
    plan_view(fmt, console).show(plan)


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
    with names_given_as(TARGET_FLAG):
        if offline:
            result = compute_plan(gather(project, None), options)
        else:
            with RemoteSession(project) as session:
                result = compute_plan(gather(project, session), options)
    show(result, fmt, console)
    if out is not None:
        try:
            out.write_text(plan_json(result), encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write the plan to {out}: {error.strerror or error}") from None
        console.note(saved_plan(out))
    report_plan(result, str(out) if out is not None else None)
    return result.exit_code(detailed_exitcode)
