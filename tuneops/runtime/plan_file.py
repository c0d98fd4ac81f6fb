"""A saved plan (`tuneops plan --out FILE`): reading it (a regular file, bounded in size and
depth), and the stale-plan check that `apply FILE` runs before it applies it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tuneops.core.plan import MAX_PLAN_BYTES, Plan, PlanOptions
from tuneops.diagnostics import Diagnostic
from tuneops.errors import PlanStaleError, TuneopsError, UsageError
from tuneops.runtime.inputs import Inputs, compute_plan
from tuneops.specs.source import read_text


def read_plan_file(path: Path) -> Plan:
    """The plan saved in `path`, or a UsageError saying why it cannot be read.

    A plan file is input like any other: no FIFO or device is read, and a file
    too large or nested too deep is refused before it is parsed.
    """
    text = read_text(path, str(path), MAX_PLAN_BYTES)
    try:
        if isinstance(text, Diagnostic):
            raise UsageError(text.message)
        return Plan.from_json(text)
    except TuneopsError as error:
        raise UsageError(f"cannot read the plan file {path}: {error}") from None


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """A plan read from a file, and the file (for messages)."""

    path: Path
    plan: Plan


def read_applicable_plan(path: Path) -> SavedPlan:
    """The plan saved in `path`, refused when it was made offline (it never saw the
    remote jobs, so applying it could duplicate or miss them)."""
    plan = read_plan_file(path)
    if plan.offline:
        raise UsageError("an offline plan cannot be applied: plan again with remote access")
    return SavedPlan(path, plan)


def check_saved_plan(saved: SavedPlan, current: Plan) -> None:
    """Raises PlanStaleError unless the saved plan is what tuneops would plan now.

    The fingerprint covers the inputs, not the actions: an edited file must not
    apply anything tuneops would not plan now, so the actions are compared too.
    """
    if current.fingerprint != saved.plan.fingerprint:
        raise PlanStaleError(
            f"the plan in {saved.path} is stale: the specs, the lockfile or the remote "
            "jobs changed since it was made; run `tuneops plan --out FILE` again"
        )
    differences = saved.plan.differences(current)
    if differences:
        raise PlanStaleError(
            f"the plan in {saved.path} does not match the plan computed now, so it is not applied",
            differences,
        )


def plan_to_apply(inputs: Inputs, options: PlanOptions, saved: SavedPlan | None) -> Plan:
    """The plan `apply` runs: the saved plan once it is checked against the plan computed
    now with the saved plan's own options, or else the plan computed now with `options`."""
    if saved is None:
        return compute_plan(inputs, options)
    check_saved_plan(saved, compute_plan(inputs, saved.plan.options))
    return saved.plan
