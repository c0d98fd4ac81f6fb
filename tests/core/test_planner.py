"""The planner as a pure function: (specs, lockfile, remote jobs) → actions."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from typing import Any

import pytest

from tests.core.builders import CAPS, STACK, entry, job, lockfile, revision, spec
from tuneops.core import fingerprint as fingerprint_module
from tuneops.core.jobs import RemoteJob
from tuneops.core.plan import ActionKind, Change, Plan, PlanOptions
from tuneops.core.planner import make_plan
from tuneops.errors import UnknownNamesError
from tuneops.lockfile.file import Lockfile
from tuneops.render.wording import word, words
from tuneops.specs.kinds import BackendKind, JobState
from tuneops.specs.models import JobSpec


def plan(
    specs: Sequence[JobSpec],
    lock: Lockfile | None = None,
    remote: Sequence[RemoteJob] | None = (),
    **options: Any,
) -> Plan:
    return make_plan(STACK, specs, lock or lockfile(), remote, PlanOptions(**options), CAPS, "test")


def summary(result: Plan) -> list[tuple[str, str, str | None]]:
    return [(a.kind.value, a.name, a.job) for a in result.actions]


BOT = spec("bot")
BOT_V2 = spec("bot", epochs=5)


def test_a_new_spec_is_created() -> None:
    result = plan([BOT])
    assert summary(result) == [("create", "bot", None)]
    assert result.actions[0].spec_hash == BOT.spec_hash
    assert result.has_changes and not result.destructive


def test_nothing_to_do_when_the_lockfile_knows_the_running_job() -> None:
    running = job(BOT, 1)
    result = plan([BOT], lockfile(bot=entry(BOT, pending=revision(running, BOT))), [running])
    assert result.actions == ()
    assert not result.has_changes


def test_a_changed_spec_is_replaced_and_shows_its_field_changes() -> None:
    old = job(BOT, 1, JobState.SUCCEEDED)
    result = plan([BOT_V2], lockfile(bot=entry(BOT, active=revision(old, BOT))), [old])
    (action,) = result.actions
    assert (action.kind, action.job, action.cancels) == (ActionKind.REPLACE, old.name, ())
    assert action.changes == (Change("hyperParameters.epochCount", 3, 5),)
    assert not result.destructive


def test_replace_cancels_an_older_revision_still_in_flight() -> None:
    old = job(BOT, 1, JobState.RUNNING)
    result = plan([BOT_V2], lockfile(bot=entry(BOT, pending=revision(old, BOT))), [old])
    (action,) = result.actions
    assert action.kind is ActionKind.REPLACE
    assert action.cancels == (old.name,)
    assert result.destructive


def test_a_removed_spec_with_a_live_job_is_cancelled() -> None:
    running = job(BOT, 1)
    result = plan(
        [], lockfile(bot=entry(BOT, pending=revision(running, BOT))), [running], allow_empty=True
    )
    assert summary(result) == [("cancel", "bot", running.name)]
    assert result.destructive


def test_a_removed_spec_whose_jobs_ended_is_forgotten() -> None:
    done = job(BOT, 1, JobState.SUCCEEDED)
    result = plan([], lockfile(bot=entry(BOT, active=revision(done, BOT))), [done])
    assert summary(result) == [("forget", "bot", None)]


def test_a_succeeded_pending_revision_is_promoted() -> None:
    old = job(BOT, 1, JobState.SUCCEEDED)
    new = job(BOT_V2, 2, JobState.SUCCEEDED, minutes=5)
    lock = lockfile(bot=entry(BOT_V2, active=revision(old, BOT), pending=revision(new, BOT_V2)))
    assert summary(plan([BOT_V2], lock, [old, new])) == [("promote", "bot", new.name)]


def test_jobs_missing_from_the_lockfile_are_adopted_not_created_again() -> None:
    running = job(BOT, 1)
    assert summary(plan([BOT], lockfile(), [running])) == [("adopt", "bot", running.name)]


def test_a_failed_job_is_only_noted_unless_retry_is_allowed() -> None:
    failed = job(BOT, 1, JobState.FAILED)
    lock = lockfile(bot=entry(BOT, pending=revision(failed, BOT)))
    quiet = plan([BOT], lock, [failed])
    assert quiet.actions == ()
    assert tuple(words(quiet.notes)) == (
        f"bot: job {failed.name} failed; `tuneops apply --retry-failed` starts it again",
    )
    assert summary(plan([BOT], lock, [failed], retry_failed=True)) == [
        ("retry", "bot", failed.name)
    ]


def test_racing_duplicates_are_reduced_to_the_oldest() -> None:
    first, second = job(BOT, 1, minutes=0), job(BOT, 2, minutes=1)
    lock = lockfile(bot=entry(BOT, pending=revision(second, BOT)))
    result = plan([BOT], lock, [second, first])
    assert summary(result) == [("adopt", "bot", first.name), ("cancel", "bot", second.name)]
    assert "duplicate of" in word(result.actions[1].reason)


def test_jobs_of_other_stacks_are_never_touched() -> None:
    foreign = job("other", 9, stack="someone-else")
    assert plan([], lockfile(), [foreign]).actions == ()


def test_cancelling_a_protected_job_is_blocked() -> None:
    running = job(BOT, 1, protect=True)
    lock = lockfile(bot=entry(BOT, pending=revision(running, BOT), protect=True))
    (action,) = plan([], lock, [running], allow_empty=True).actions
    assert action.kind is ActionKind.CANCEL
    assert action.blocked is not None
    assert (
        word(action.blocked)
        == "the job is protected (protect: true); unprotect it in the spec first"
    )


def test_an_empty_spec_set_with_live_jobs_is_blocked_unless_allowed() -> None:
    running = job(BOT, 1)
    lock = lockfile(bot=entry(BOT, pending=revision(running, BOT)))
    (blocked,) = plan([], lock, [running]).blocked
    assert blocked.blocked is not None
    assert word(blocked.blocked) == (
        "no specs were found but the stack has live jobs; pass --allow-empty to cancel them all"
    )
    assert plan([], lock, [running], allow_empty=True).blocked == ()


def test_more_creates_than_max_create_are_all_blocked() -> None:
    specs = [spec(f"s{i}") for i in range(3)]
    result = plan(specs, max_create=2)
    assert [a.blocked and word(a.blocked) for a in result.actions] == [
        "3 new jobs exceed guards.maxCreate (2); pass --max-create 3 to allow them"
    ] * 3
    assert plan(specs, max_create=3).blocked == ()


def test_more_cancels_than_max_cancel_are_all_blocked() -> None:
    running = [job(f"gone-{i}", i) for i in range(3)]
    lock = lockfile(keep=entry(spec("keep")))
    result = plan([spec("keep")], lock, running, max_cancel=2)
    assert {
        word(a.blocked) for a in result.actions if a.kind is ActionKind.CANCEL if a.blocked
    } == {"3 cancels exceed guards.maxCancel (2); pass --max-cancel 3 to allow them"}


def test_targets_limit_the_plan_and_unknown_targets_are_errors() -> None:
    result = plan([BOT, spec("other")], targets=("other",))
    assert summary(result) == [("create", "other", None)]
    with pytest.raises(UnknownNamesError, match="no spec, lockfile entry or job is named nope"):
        plan([BOT], targets=("nope",))


def test_offline_plans_trust_the_lockfile() -> None:
    old = job(BOT, 1, JobState.SUCCEEDED)
    lock = lockfile(bot=entry(BOT, active=revision(old, BOT)))
    offline = plan([BOT_V2], lock, None)
    assert offline.offline
    assert summary(offline) == [("replace", "bot", old.name)]


def test_the_fingerprint_follows_every_input() -> None:
    running = job(BOT, 1)
    lock = lockfile(bot=entry(BOT, pending=revision(running, BOT)))
    base = plan([BOT], lock, [running]).fingerprint
    assert plan([BOT], lock, [running]).fingerprint == base
    moved = job(BOT, 1, JobState.SUCCEEDED)
    assert plan([BOT], lock, [moved]).fingerprint != base
    assert plan([BOT_V2], lock, [running]).fingerprint != base
    assert plan([BOT], lockfile(), [running]).fingerprint != base
    assert plan([BOT], lock, [running], retry_failed=True).fingerprint != base


def test_the_plan_round_trips_through_json() -> None:
    old = job(BOT, 1, JobState.RUNNING)
    original = plan(
        [BOT_V2, spec("new")], lockfile(bot=entry(BOT, pending=revision(old, BOT))), [old]
    )
    assert Plan.from_data(original.to_data()) == original


def test_actions_come_in_apply_order() -> None:
    gone = job("gone", 7)
    adopted = job(spec("found"), 8)
    result = plan([spec("found"), spec("new")], lockfile(), [gone, adopted], allow_empty=True)
    assert [a.kind.value for a in result.actions] == ["adopt", "cancel", "create"]
    assert result.counts == {
        "create": 1,
        "replace": 0,
        "retry": 0,
        "cancel": 1,
        "forget": 0,
        "promote": 0,
        "adopt": 1,
        "delete": 0,
        "dequeue": 0,
    }


def test_an_imported_job_of_a_removed_spec_is_forgotten_never_cancelled() -> None:
    imported = dataclasses.replace(job(BOT, 1, JobState.RUNNING), imported=True)
    lock = lockfile(bot=entry(BOT, pending=dataclasses.replace(revision(imported), imported=True)))
    result = plan([spec("other")], lock, [imported])
    assert ("forget", "bot", None) in summary(result)
    assert not any(a.kind is ActionKind.CANCEL for a in result.actions)
    forget = next(a for a in result.actions if a.kind is ActionKind.FORGET)
    assert word(forget.reason) == (
        f"spec removed; imported job {imported.name} carries no tuneops labels, so it is only "
        "forgotten, never cancelled, and keeps running"
    )


def test_a_replace_leaves_an_imported_job_in_flight_running_and_says_so() -> None:
    imported = dataclasses.replace(job(BOT, 1, JobState.RUNNING), imported=True)
    lock = lockfile(bot=entry(BOT, pending=dataclasses.replace(revision(imported), imported=True)))
    result = plan([BOT_V2], lock, [imported])
    [replace_action] = result.actions
    assert (replace_action.kind, replace_action.cancels) == (ActionKind.REPLACE, ())
    assert tuple(words(result.notes)) == (
        f"bot: {imported.name} was imported and carries no tuneops labels, so the replace "
        "leaves it running; stop it yourself if it should not run",
    )


def test_prune_deletes_finished_models_of_removed_specs_only_when_asked() -> None:
    numbers = spec("numbers")
    gemini = BackendKind.GEMINI  # only the Gemini API can delete what tuneops made
    done = dataclasses.replace(job(numbers, 3, JobState.SUCCEEDED), backend=gemini)
    failed = dataclasses.replace(job(numbers, 4, JobState.FAILED), backend=gemini)
    vertex = job(numbers, 5, JobState.SUCCEEDED)
    lock = lockfile(numbers=entry(numbers, active=revision(done, numbers)))
    kept = plan([], lock, [done, failed, vertex], allow_empty=True)
    pruned = plan([], lock, [done, failed, vertex], allow_empty=True, prune=True)
    assert [a.kind.value for a in kept.actions] == ["forget"]
    assert [(a.kind.value, a.job) for a in pruned.actions] == [
        ("forget", None),
        ("delete", done.name),
        ("delete", failed.name),
    ]


def test_job_starts_carry_the_hash_as_written_once_pins_joined_the_hash() -> None:
    from tuneops.specs.hashing import with_dataset_pins

    pins = {"trainingDataset": {"generation": "7", "size": 105, "crc32c": "AAAAAA=="}}
    pinned = with_dataset_pins(spec("new"), pins)
    old = job(BOT, 1, JobState.SUCCEEDED)
    edited = with_dataset_pins(BOT_V2, pins)
    result = plan([pinned, edited], lockfile(bot=entry(BOT, active=revision(old, BOT))), [old])
    assert [(a.kind, a.spec_hash, a.written_hash) for a in result.actions] == [
        (ActionKind.REPLACE, edited.spec_hash, BOT_V2.spec_hash),
        (ActionKind.CREATE, pinned.spec_hash, spec("new").spec_hash),
    ]
    assert pinned.spec_hash != spec("new").spec_hash
    assert Plan.from_data(result.to_data()) == result
    unpinned = plan([spec("new")], lockfile(), [])
    assert unpinned.actions[0].written_hash is None
    assert "writtenHash" not in unpinned.to_data()["actions"][0]


def test_the_fingerprint_is_hashed_as_its_json_is_made() -> None:
    # Streamed into the hash, it must stay the digest of the one-shot text, or every
    # saved plan would be stale after an upgrade.
    remote = [job(spec(f"s{i}"), i, JobState.SUCCEEDED) for i in range(3000)]
    material = {"remote": [(j.name, "é", 1.5, None, True) for j in remote], "z": {"b": 1, "a": []}}
    expected = hashlib.sha256(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()
    assert fingerprint_module._json_digest(material) == expected
