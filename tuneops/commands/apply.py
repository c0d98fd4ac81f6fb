"""`tuneops apply`: make the remote jobs match the specs, recording each step."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from tuneops.commands import EXIT_BLOCKED, EXIT_ERROR, EXIT_OK, names_given_as
from tuneops.commands.wait import wait_for
from tuneops.console import Console
from tuneops.errors import PlanStaleError, UsageError
from tuneops.github.reports import report_apply
from tuneops.project.file import require_project
from tuneops.render.apply import ApplyView, JsonApplyView, Result, apply_view
from tuneops.render.progress import JsonProgressView, ProgressView, TextProgressView
from tuneops.runtime.applier import Applier
from tuneops.runtime.checkout_lock import apply_lock
from tuneops.runtime.inputs import PlanFlags, compute_plan, gather, load_local, plan_options
from tuneops.runtime.plan_file import read_plan_file
from tuneops.runtime.session import STATE_DIR, RemoteSession


def _confirm(console: Console) -> bool:
    console.note("Apply these changes? Only 'yes' is accepted: ")
    try:
        return input().strip() == "yes"
    except EOFError:
        return False


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
) -> int:
    """Applies a saved plan, or plans and (after confirmation) applies."""
    if parallelism < 1:
        raise UsageError("--parallelism must be at least 1")
    interactive = sys.stdin.isatty() if interactive is None else interactive
    project = require_project(config)
    view = apply_view(fmt, console)
    local = load_local(project)  # every spec must be valid before any lock or remote call
    saved = read_plan_file(plan_file) if plan_file else None
    if saved is not None and saved.offline:
        raise UsageError("an offline plan cannot be applied: plan again with remote access")
    if saved is None and not auto_approve and not interactive:
        raise UsageError(
            "apply needs --auto-approve when it cannot ask for confirmation (no terminal), "
            "or a plan file from `tuneops plan --out FILE`"
        )
    with (
        apply_lock(project.root / STATE_DIR),
        RemoteSession(project, parallelism=parallelism) as session,
    ):
        inputs = gather(project, session, local)
        if saved is not None:
            with names_given_as("the plan file's --target"):
                current = compute_plan(inputs, saved.options)
            if current.fingerprint != saved.fingerprint:
                raise PlanStaleError(
                    f"the plan in {plan_file} is stale: the specs, the lockfile or the remote "
                    "jobs changed since it was made; run `tuneops plan --out FILE` again"
                )
            # The fingerprint covers the inputs, not the actions: an edited file
            # must not apply anything tuneops would not plan now.
            differences = saved.differences(current)
            if differences:
                raise PlanStaleError(
                    f"the plan in {plan_file} does not match the plan computed now, so it is "
                    f"not applied: {'; '.join(differences[:5])}"
                    + (f"; and {len(differences) - 5} more" if len(differences) > 5 else "")
                )
            plan = saved
        else:
            with names_given_as("--target"):
                plan = compute_plan(inputs, plan_options(project, flags))
        if saved is None:
            view.plan(plan)
        lockfile = project.config.lockfile
        if plan.blocked or (
            plan.has_changes and saved is None and not auto_approve and not _confirm(console)
        ):
            if plan.blocked:
                report_apply(plan, 0, [], lockfile)
            view.finish("blocked" if plan.blocked else "declined", plan, (), lockfile)
            view.close()
            return EXIT_BLOCKED if plan.blocked else EXIT_ERROR
        # From here on the lockfile is kept true: first refreshed, then after each action.
        applier = Applier.for_inputs(
            session, inputs, parallelism=parallelism, on_outcome=view.outcome
        )
        outcomes = applier.run(plan)
        failed_names = [o.action.name for o in outcomes if not o.ok]
        report_apply(plan, len(outcomes) - len(failed_names), failed_names, lockfile)
        failed = bool(failed_names)
        result: Result = "failed" if failed else "applied"
        view.finish(result if plan.has_changes else "nothing-to-do", plan, outcomes, lockfile)
        code = EXIT_ERROR if failed else EXIT_OK
        if failed and all(o.attention for o in outcomes if not o.ok):
            code = EXIT_BLOCKED  # only promotion gates held revisions back: needs attention
        if wait and not failed:
            with session.unbudgeted():  # the wait is bounded by --timeout instead
                code = wait_for(
                    project,
                    session,
                    sorted({a.name for a in plan.actions if a.name in applier.specs}),
                    timeout=timeout,
                    poll_seconds=poll_seconds,
                    view=_wait_view(console, view),
                    lock_held=True,  # apply --wait keeps the checkout lock while it waits
                )
        view.close()
    return code


def _wait_view(console: Console, view: ApplyView) -> ProgressView:
    """`apply --wait`: progress on stderr, or the wait's result inside the apply document."""
    if isinstance(view, JsonApplyView):
        return JsonProgressView(console, sink=lambda body: view.body.update(wait=body))
    return TextProgressView(console)
