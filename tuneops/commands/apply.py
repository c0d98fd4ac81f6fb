"""`tuneops apply`: make the remote jobs match the specs, recording each step."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from tuneops.commands import EXIT_BLOCKED, EXIT_ERROR, EXIT_OK, names_given_as
from tuneops.commands.plan import show
from tuneops.commands.wait import wait_for
from tuneops.console import Console
from tuneops.core.plan import Plan
from tuneops.errors import PlanStaleError, UsageError
from tuneops.github.reports import report_apply
from tuneops.project import Project, require_project
from tuneops.runtime.applier import Applier, Outcome
from tuneops.runtime.checkout_lock import apply_lock
from tuneops.runtime.inputs import PlanFlags, compute_plan, gather, load_local, plan_options
from tuneops.runtime.session import STATE_DIR, RemoteSession

POLL_SECONDS = 10.0


def _read_plan(path: Path) -> Plan:
    try:
        return Plan.from_data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(f"cannot read the plan file {path}: {error}") from None


def _confirm(console: Console) -> bool:
    console.note("Apply these changes? Only 'yes' is accepted: ")
    try:
        return input().strip() == "yes"
    except EOFError:
        return False


def _report(console: Console) -> Callable[[Outcome], None]:
    def report(outcome: Outcome) -> None:
        action = outcome.action
        mark = console.paint("✓", "green") if outcome.ok else console.paint("✗", "red")
        console.result(f"  {mark} {action.kind.value:<8} {action.name}: {outcome.detail}")

    return report


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
    interactive: bool | None = None,
) -> int:
    """Applies a saved plan, or plans and (after confirmation) applies."""
    if parallelism < 1:
        raise UsageError("--parallelism must be at least 1")
    interactive = sys.stdin.isatty() if interactive is None else interactive
    project = require_project(config)
    local = load_local(project)  # every spec must be valid before any lock or remote call
    saved = _read_plan(plan_file) if plan_file else None
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
            plan = saved
        else:
            with names_given_as("--target"):
                plan = compute_plan(inputs, plan_options(project, flags))
            show(plan, "text", console)
        if plan.blocked:
            console.note("error: guards block this plan; nothing was applied")
            report_apply(plan, 0, [], project.config.lockfile)
            return EXIT_BLOCKED
        if plan.has_changes and saved is None and not auto_approve and not _confirm(console):
            console.note("apply cancelled; nothing was changed")
            return EXIT_ERROR
        # From here on the lockfile is kept true: first refreshed, then after each action.
        applier = Applier.for_inputs(
            session, inputs, parallelism=parallelism, on_outcome=_report(console)
        )
        outcomes = applier.run(plan)
        failed_names = [o.action.name for o in outcomes if not o.ok]
        report_apply(plan, len(outcomes) - len(failed_names), failed_names, project.config.lockfile)
        if not plan.has_changes:
            return _wait(project, session, [], timeout, console) if wait else EXIT_OK
        failed = [o for o in outcomes if not o.ok]
        done = len(outcomes) - len(failed)
        lockfile = project.config.lockfile
        line = f"Apply complete: {done} done, {len(failed)} failed. Lockfile: {lockfile}"
        console.result(console.paint(line, "bold" if not failed else "red"))
        if failed:
            return EXIT_ERROR
        if wait:
            names = sorted({a.name for a in plan.actions if a.name in applier.specs})
            return _wait(project, session, names, timeout, console)
    return EXIT_OK


def _wait(
    project: Project,
    session: RemoteSession,
    names: list[str],
    timeout: float | None,
    console: Console,
) -> int:
    """`apply --wait`: waits while still holding the apply lock."""
    return wait_for(
        project,
        session,
        names,
        timeout=timeout,
        poll_seconds=POLL_SECONDS,
        console=console,
        lock_held=True,
    )
