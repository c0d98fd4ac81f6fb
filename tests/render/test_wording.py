"""Notes are data and the views word them: round trips, and a saved plan read back."""

from __future__ import annotations

from typing import Any

from tuneops.core.plan import Action, ActionKind, Plan
from tuneops.notes import Note, NoteCode, Severity
from tuneops.render.plan import plan_data
from tuneops.render.wording import word, words
from tuneops.specs.kinds import BackendKind

REASON = Note.of(NoteCode.SPEC_REMOVED_JOB_LIVE, state="running")
IMPORTED = Note.of(NoteCode.IMPORTED_NOT_CANCELLED, spec="bot", job="j/1", reason=REASON)


def _plan() -> Plan:
    cancel = Action(
        ActionKind.CANCEL,
        "bot",
        BackendKind.GEMINI,
        REASON.with_fields(deletedBy="gemini"),
        job="tunedModels/bot-1",
        blocked=Note.of(NoteCode.BLOCKED_MAX_CANCEL, Severity.ERROR, count=3, limit=2),
    )
    forget = Action(
        ActionKind.FORGET,
        "old",
        BackendKind.VERTEX,
        Note.of(NoteCode.SPEC_REMOVED_IMPORTED_LIVE, jobs=("j/7", "j/8")),
    )
    return Plan("demo", "f" * 64, (cancel, forget), notes=(IMPORTED,), tuneops_version="0")


def _cancel(data: dict[str, Any]) -> dict[str, Any]:
    [cancel] = [a for a in data["actions"] if a["action"] == "cancel"]
    return cancel


def test_a_note_survives_its_structured_json_form() -> None:
    plan = _plan()
    assert Plan.from_data(plan.to_data()) == plan
    assert Note.from_data(IMPORTED.to_data()) == IMPORTED


def test_the_views_word_reasons_guards_and_notes_with_their_qualifiers() -> None:
    data = plan_data(_plan())
    [forget] = [a for a in data["actions"] if a["action"] == "forget"]
    assert _cancel(data)["reason"] == (
        "spec removed; job is running; the gemini backend cannot cancel, so the model is deleted"
    )
    assert _cancel(data)["blocked"] == (
        "3 cancels exceed guards.maxCancel (2); pass --max-cancel 3 to allow them"
    )
    assert forget["reason"].startswith("spec removed; imported job j/7, j/8 carries")
    assert data["notes"] == [
        "bot: j/1 was imported and carries no tuneops labels, so tuneops never cancels it "
        "(spec removed; job is running); stop it yourself if it should not run"
    ]


def test_a_saved_plan_holds_words_and_still_matches_the_plan_computed_now() -> None:
    plan = _plan()
    saved = Plan.from_data(plan_data(plan))
    assert [a.reason for a in saved.actions] == [
        Note.of(NoteCode.SAVED, text=word(a.reason)) for a in plan.actions
    ]
    assert saved.differences(plan) == ()
    assert words(saved.notes) == words(plan.notes)


def test_an_edited_saved_plan_differs_by_what_apply_would_do() -> None:
    data = plan_data(_plan())
    _cancel(data)["job"] = "tunedModels/someone-else"
    found = Plan.from_data(data).differences(_plan())
    assert [(n.code, n["job"]) for n in found] == [
        (NoteCode.PLANNED_ACTION_NOT_SAVED, "tunedModels/bot-1"),
        (NoteCode.SAVED_ACTION_NOT_PLANNED, "tunedModels/someone-else"),
    ]
    assert words(found)[0] == "cancel bot (tunedModels/bot-1) is missing from the plan file"
    unblocked = plan_data(_plan())
    del _cancel(unblocked)["blocked"]
    [differs] = Plan.from_data(unblocked).differences(_plan())
    assert word(differs) == "cancel bot (tunedModels/bot-1) differs"
