"""What a reviewer approved, compared: changing actions only, not the fingerprint. Pure."""

from __future__ import annotations

from dataclasses import replace

from tuneops.core.plan import Action, ActionKind, Plan
from tuneops.core.review import ReviewedAction, differences, digest, reviewed_actions
from tuneops.notes import Note, NoteCode
from tuneops.render.wording import words
from tuneops.specs.kinds import BackendKind

CREATE = Action(ActionKind.CREATE, "bot", BackendKind.VERTEX, Note.of(NoteCode.NEW_SPEC), "a" * 64)
CANCEL = Action(
    ActionKind.CANCEL,
    "old",
    BackendKind.VERTEX,
    Note.of(NoteCode.SAVED, text="spec removed"),
    job="j/1",
)
PROMOTE = Action(
    ActionKind.PROMOTE, "cat", BackendKind.GEMINI, Note.of(NoteCode.PROMOTE_SUCCEEDED), job="t/2"
)


def _plan(*actions: Action, fingerprint: str = "f" * 64) -> Plan:
    return Plan("prod", fingerprint, actions)


def test_bookkeeping_and_the_fingerprint_do_not_count() -> None:
    reviewed = reviewed_actions(_plan(CREATE, CANCEL))
    later = reviewed_actions(_plan(CANCEL, CREATE, PROMOTE, fingerprint="0" * 64))
    assert reviewed == later
    assert digest(reviewed) == digest(later)
    assert differences(reviewed, later) == ()


def test_a_new_hash_or_a_new_cancel_is_a_difference() -> None:
    reviewed = reviewed_actions(_plan(CREATE))
    changed = reviewed_actions(_plan(replace(CREATE, spec_hash="b" * 64), CANCEL))
    assert digest(reviewed) != digest(changed)
    assert tuple(words(differences(reviewed, changed))) == (
        "+ cancel old (job j/1): not in the reviewed plan",
        f"+ create bot (spec {'b' * 16}): not in the reviewed plan",
        f"- create bot (spec {'a' * 16}): reviewed, but no longer planned",
    )


def test_the_compact_form_round_trips() -> None:
    action = ReviewedAction("replace", "bot", "a" * 64, "j/1", ("j/0", "j/2"))
    assert ReviewedAction.from_data(action.to_data()) == action


PINNED = replace(CREATE, spec_hash="c" * 64, written_hash="a" * 64)  # online: pins in the hash
REPLACE = Action(
    ActionKind.REPLACE, "cat", BackendKind.VERTEX, Note.of(NoteCode.SPEC_CHANGED), "d" * 64, "t/1"
)


def test_an_offline_review_compares_job_starts_by_the_hash_as_written() -> None:
    offline = reviewed_actions(replace(_plan(CREATE, CANCEL), offline=True), as_written=True)
    merged = _plan(PINNED, CANCEL)
    assert differences(offline, reviewed_actions(merged, as_written=True)) == ()
    assert digest(offline) == digest(reviewed_actions(merged, as_written=True))


def test_an_online_review_compares_the_full_hash_with_the_pins() -> None:
    reviewed = reviewed_actions(_plan(PINNED))
    overwritten = reviewed_actions(_plan(replace(PINNED, spec_hash="e" * 64)))
    assert tuple(words(differences(reviewed, overwritten))) == (
        f"+ create bot (spec {'e' * 16}): not in the reviewed plan",
        f"- create bot (spec {'c' * 16}): reviewed, but no longer planned",
    )


def test_the_hash_as_written_still_tells_an_edited_spec_apart() -> None:
    reviewed = reviewed_actions(_plan(REPLACE, CREATE), as_written=True)
    edited = replace(REPLACE, spec_hash="f" * 64, written_hash="9" * 64)
    assert tuple(
        words(differences(reviewed, reviewed_actions(_plan(edited, PINNED), as_written=True)))
    ) == (
        f"+ replace cat (spec {'9' * 16}; job t/1): not in the reviewed plan",
        f"- replace cat (spec {'d' * 16}; job t/1): reviewed, but no longer planned",
    )
