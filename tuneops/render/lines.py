"""The commands' own one-line notes: what they say around their results.

Each command's results have their view (plan_view, apply, health, ...); these
are the short lines a verb writes before or after them on stdout or stderr, kept
here so that no command module words anything (docs/architecture.md, "Where words
live"). Grouped by command, in the order the commands run.
"""

from __future__ import annotations

from pathlib import Path

from tuneops.render.markdown import plural

# Where --target (or a name argument) came from, for "... names nothing tuneops knows".
TARGET_FLAG = "--target"
SAVED_TARGET_FLAG = "the plan file's --target"
STATUS_NAMES = "status NAME"

CONFIRM_APPLY = "Apply these changes? Only 'yes' is accepted: "


def saved_plan(out: Path) -> str:
    """plan --out: where the plan went and how to apply exactly it."""
    return f"saved the plan to {out}; apply exactly this plan with `tuneops apply {out}`"


def validate_skipped(count: int) -> str:
    """validate: YAML files that hold no tuneops spec."""
    return f"skipped {plural(count, 'YAML file')} without a tuneops spec"


def validate_summary(specs: int, files: int, errors: int, bad_files: int, warnings: int) -> str:
    """validate's last line: errors and the files they are in, or ok."""
    warned = f", {plural(warnings, 'warning')}" if warnings else ""
    if errors:
        return f"{plural(errors, 'error')} in {plural(bad_files, 'file')}{warned}"
    return f"ok: {plural(specs, 'spec')} in {plural(files, 'file')}, all valid{warned}"


def status_unreadable(problem: str) -> str:
    """status: the remote services failed; the lockfile is shown instead."""
    return f"warning: {problem}; showing what the lockfile records"


def status_source(jobs: int | None, stack: str, unreadable: bool) -> str:
    """status: where the states shown come from (`jobs` is None without a listing)."""
    if jobs is None:
        why = "the remote services could not be read" if unreadable else "offline"
        return f"from the lockfile only ({why}): remote states may have moved on"
    return f"from the remote services: {jobs} job(s) of stack {stack}"


def lockfile_rebuilt(problem: str) -> str:
    """reconcile: a broken lockfile is rebuilt from the remote labels."""
    return f"warning: {problem}; rebuilding it from the remote labels"


def watch_stopped(cycles: int) -> str:
    """reconcile --watch: the loop ended (a signal or the stop event)."""
    return f"reconcile stopped after {cycles} cycles"


ASSUMED_TRAINING_DATA = "the Gemini API does not return training data; assumed to match"


def scaffold_wrote(path: Path) -> str:
    """init: one file written."""
    return f"wrote {path}"


def scaffold_next(directory: Path) -> str:
    """init: what to run next."""
    return f"next: tuneops -C {directory} plan"


def comment_made(verb: str, stack: str, where: str) -> str:
    """github comment: the comment created or updated, and where it is."""
    return f"{verb} the plan comment for stack {stack}: {where}"


NOTHING_TO_REVIEW = "the plan starts and stops no job, so there was nothing to review"


def verify_differs(number: int) -> str:
    """github verify: the plan is not the one reviewed."""
    return (
        f"error: the plan differs from the plan reviewed on pull request #{number}; "
        "nothing was applied (the pull request has a comment saying what changed)"
    )


def verify_matches(number: int, reviewed_offline: bool) -> str:
    """github verify: the plan is the one reviewed (an offline review vouched for less)."""
    offline = (
        " (an offline plan: the specs as written were reviewed; their gs:// datasets are "
        "pinned as they are now)"
        if reviewed_offline
        else ""
    )
    return f"the plan matches the plan reviewed on pull request #{number}{offline}"


NOTHING_UNLOCKED = "Nothing was removed."


def emulator_listening(url: str) -> str:
    """emulator: the first stdout line, which scripts read for the URL."""
    return f"listening on {url}"


def emulator_settings(
    state: Path | None, project_number: int, auth: bool, gemini_tuning: str, url: str
) -> str:
    """emulator: how it was started."""
    where = state if state is not None else "memory"
    return (
        f"state in {where}; project number {project_number}; "
        f"auth {'on' if auth else 'off'}; Gemini API tuning {gemini_tuning}; "
        f"control API at {url}/_emulator/"
    )


EMULATOR_STOPPED = "emulator stopped"
