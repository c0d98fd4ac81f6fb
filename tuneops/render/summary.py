"""Short Markdown reports for a GitHub Actions step summary, one per command.

They say what happened and where to look; the whole plan stays in the job log
and in the pull-request comment.
"""

from __future__ import annotations

from collections.abc import Sequence

from tuneops.core.drift import Drift
from tuneops.core.plan import Plan
from tuneops.diagnostics import Diagnostic, Severity
from tuneops.render.markdown import code, escape, plural
from tuneops.render.plan import markdown_head
from tuneops.render.wording import DRIFT_LABELS, drift_message

MAX_ROWS = 50


def plan_summary(plan: Plan, plan_file: str | None) -> str:
    """`tuneops plan`: the plan's head (counts, destructive actions, guards)."""
    lines = [f"### tuneops plan for {code(plan.stack)}", "", *markdown_head(plan)]
    if plan_file:
        lines += [
            "",
            f"Saved plan: {code(plan_file)} (apply exactly it with `tuneops apply FILE`).",
        ]
    return "\n".join(lines)


def validate_summary(diagnostics: Sequence[Diagnostic], specs: int, files: int) -> str:
    """`tuneops validate`: all valid, or a table of the first problems."""
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    warned = len(diagnostics) - len(errors)
    warnings = f" ({plural(warned, 'warning')})" if warned else ""
    if not diagnostics:
        return (
            f"### tuneops validate\n\n✅ {plural(specs, 'spec')} in "
            f"{plural(files, 'file')}, all valid."
        )
    bad_files = len({d.location.file for d in errors})
    head = (
        f"❌ {plural(len(errors), 'error')} in {plural(bad_files, 'file')}{warnings}"
        if errors
        else f"✅ {plural(specs, 'spec')} in {plural(files, 'file')}, all valid{warnings}"
    )
    lines = [
        "### tuneops validate",
        "",
        head,
        "",
        "| file | line | path | problem |",
        "|---|---|---|---|",
    ]
    for diagnostic in diagnostics[:MAX_ROWS]:
        loc = diagnostic.location
        mark = "⚠️ " if diagnostic.severity is Severity.WARNING else ""
        lines.append(
            f"| {code(loc.file)} | {loc.line or ''} | {code(loc.json_path)} "
            f"| {mark}{escape(diagnostic.message)} |"
        )
    if len(diagnostics) > MAX_ROWS:
        lines += ["", f"… and {len(diagnostics) - MAX_ROWS} more, in the job log."]
    return "\n".join(lines)


def apply_summary(
    plan: Plan, done: int, failed: Sequence[str], lockfile: str, held: Sequence[str] = ()
) -> str:
    """`tuneops apply`: what the plan was and how each part went; a revision a
    promotion gate held back is counted apart, as the text and JSON summaries do."""
    lines = [f"### tuneops apply for {code(plan.stack)}", "", *markdown_head(plan), ""]
    gated = f"{len(held)} held back by a promotion gate: {_names(held)}. " if held else ""
    if plan.blocked:
        lines.append("⛔ Nothing was applied: guards block the plan.")
    elif not plan.has_changes:
        lines.append("✅ Nothing to apply.")
    elif failed:
        lines.append(
            f"❌ {done} done, {gated}{len(failed)} failed: {_names(failed)}. "
            f"The lockfile {code(lockfile)} records what was done."
        )
    elif held:
        lines.append(
            f"⚠️ {done} done, {gated}The active revisions keep serving. Lockfile: {code(lockfile)}."
        )
    else:
        lines.append(f"✅ {done} done. Lockfile: {code(lockfile)}.")
    return "\n".join(lines)


def _names(names: Sequence[str]) -> str:
    return ", ".join(code(name) for name in names[:20])


def reconcile_summary(plan: Plan, drift: Sequence[Drift], wrote_lock: bool) -> str:
    """`tuneops reconcile`: the drift found and the changes still waiting."""
    lines = [f"### tuneops reconcile for {code(plan.stack)}", ""]
    if drift:
        lines += [f"⚠️ **Drift**: {plural(len(drift), 'spec')} changed outside tuneops", ""]
        lines += ["| spec | drift | detail |", "|---|---|---|"]
        lines += [
            f"| {code(item.name)} | {escape(DRIFT_LABELS[item.kind])} | "
            f"{escape(drift_message(item))} |"
            for item in drift[:MAX_ROWS]
        ]
        if len(drift) > MAX_ROWS:
            lines += ["", f"… and {len(drift) - MAX_ROWS} more, in the job log."]
    else:
        lines.append("✅ No drift.")
    lines += ["", *markdown_head(plan)]
    if wrote_lock:
        lines += ["", "The lockfile was brought up to date."]
    return "\n".join(lines)


def failure_summary(command: str, code: int) -> str:
    """The one line a command that failed outright leaves in the step summary."""
    return f"❌ `tuneops {command}` failed (exit {code}); the job log says why."
