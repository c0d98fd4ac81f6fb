"""A saved plan: refused when offline, and applied only when it is what tuneops would
plan now (the stale-plan check of `apply FILE`)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from tuneops.core.plan import Action, ActionKind, Plan
from tuneops.errors import PlanStaleError, UsageError
from tuneops.notes import Note, NoteCode
from tuneops.render.plan import plan_json
from tuneops.render.wording import error_text
from tuneops.runtime.plan_file import SavedPlan, check_saved_plan, read_applicable_plan
from tuneops.specs.kinds import BackendKind


def _plan(*names: str, fingerprint: str = "f" * 64, offline: bool = False) -> Plan:
    actions = tuple(
        Action(
            ActionKind.CREATE,
            name,
            BackendKind.VERTEX,
            Note.of(NoteCode.NEW_SPEC),
            hashlib.sha256(name.encode()).hexdigest(),
        )
        for name in names
    )
    return Plan("prod", fingerprint, actions, tuneops_version="0.1.0", offline=offline)


def _saved(plan: Plan) -> SavedPlan:
    return SavedPlan(Path("plan.json"), plan)


def test_the_same_plan_passes() -> None:
    check_saved_plan(_saved(_plan("a", "b")), _plan("a", "b"))


def test_changed_inputs_make_the_plan_stale() -> None:
    with pytest.raises(PlanStaleError) as stale:
        check_saved_plan(_saved(_plan("a")), _plan("a", fingerprint="e" * 64))
    assert str(stale.value) == (
        "the plan in plan.json is stale: the specs, the lockfile or the remote jobs changed "
        "since it was made; run `tuneops plan --out FILE` again"
    )


def test_an_edited_plan_with_the_same_fingerprint_is_refused_naming_the_actions() -> None:
    with pytest.raises(PlanStaleError) as edited:
        check_saved_plan(_saved(_plan("a", "x")), _plan("a", "b"))
    message = error_text(edited.value)
    assert message.startswith("the plan in plan.json does not match the plan computed now")
    assert "is not in the plan computed now" in message
    assert "is missing from the plan file" in message


def test_more_than_five_differences_are_counted_not_listed() -> None:
    saved = _plan(*(f"s{n}" for n in range(7)))
    with pytest.raises(PlanStaleError) as many:
        check_saved_plan(_saved(saved), _plan())
    assert [n.code for n in many.value.notes] == [NoteCode.SAVED_ACTION_NOT_PLANNED] * 7
    assert error_text(many.value).endswith("; and 2 more")


def test_an_offline_plan_file_cannot_be_applied(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(plan_json(_plan("a", offline=True)), encoding="utf-8")
    with pytest.raises(UsageError, match="an offline plan cannot be applied"):
        read_applicable_plan(path)
    path.write_text(plan_json(replace(_plan("a"), offline=False)), encoding="utf-8")
    assert read_applicable_plan(path).plan.actions[0].name == "a"
