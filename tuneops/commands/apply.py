"""`tuneops apply`: make the remote jobs match the specs, recording each step."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_BLOCKED, EXIT_ERROR, names_given_as
from tuneops.commands.wait import wait_after_apply
from tuneops.console import Console
from tuneops.errors import UsageError
from tuneops.github.reports import report_apply
from tuneops.project.file import require_project
from tuneops.render.apply import Result, apply_view
from tuneops.render.lines import CONFIRM_APPLY, SAVED_TARGET_FLAG, TARGET_FLAG
from tuneops.runtime.applier import Applier, outcomes_exit_code
from tuneops.runtime.inputs import PlanFlags, gather, load_local, plan_options
from tuneops.runtime.plan_file import plan_to_apply, read_applicable_plan
from tuneops.runtime.shared_state import DEFAULT_LOCK_TIMEOUT, locked_session


def apply(
    config: Path | None,
    *,
    plan_file: Path | None,
    auto_approve: bool,
    parallelism: int,
    flags: PlanFlags,
    console: Console,
    wait: bool = False,
    timeout: float | None = None,
    poll_seconds: float = 10.0,
    interactive: bool | None = None,
    fmt: Literal["text", "json"] = "text",
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> int:
    """Applies a saved plan (once it is checked against the plan computed now), or plans
    and (after confirmation) applies; with `wait`, then waits for the jobs to end."""
    if parallelism < 1:
        raise UsageError("--parallelism must be at least 1")
    project, view = require_project(config), apply_view(fmt, console)
    local = load_local(project)  # every spec must be valid before any lock or remote call
    saved = read_applicable_plan(plan_file) if plan_file else None
    ask = saved is None and not auto_approve
    if ask and not (sys.stdin.isatty() if interactive is None else interactive):
        raise UsageError(
            "apply needs --auto-approve when it cannot ask for confirmation (no terminal), "
            "or a plan file from `tuneops plan --out FILE`"
        )
    lockfile = project.config.lockfile
    with locked_session(project, "apply", lock_timeout, parallelism=parallelism) as s:
        inputs = gather(project, s, local)
        with names_given_as(SAVED_TARGET_FLAG if saved else TARGET_FLAG):
            plan = plan_to_apply(inputs, plan_options(project, flags), saved)
        if saved is None:
            view.plan(plan)
        if plan.blocked or (plan.has_changes and ask and console.ask(CONFIRM_APPLY) != "yes"):
            if plan.blocked:
                report_apply(plan, (), lockfile)
            view.finish("blocked" if plan.blocked else "declined", plan, (), lockfile)
            view.close()
            return EXIT_BLOCKED if plan.blocked else EXIT_ERROR
        # From here on the lockfile is kept true: first refreshed, then after each action.
        applier = Applier.for_inputs(s, inputs, parallelism=parallelism, on_outcome=view.outcome)
        outcomes = applier.run(plan)
        failed = [o.action.name for o in outcomes if not o.ok]
        report_apply(plan, outcomes, lockfile)
        result: Result = "failed" if failed else "applied"
        view.finish(result if plan.has_changes else "nothing-to-do", plan, outcomes, lockfile)
        code = outcomes_exit_code(outcomes)
        if wait and not failed:
            names = sorted({a.name for a in plan.actions if a.name in applier.specs})
            code = wait_after_apply(
                project, s, names, view, console, timeout=timeout, poll_seconds=poll_seconds
            )
        view.close()
    return code
