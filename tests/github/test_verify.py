"""`tuneops github verify`: apply only what the merged pull request's comment showed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.github.conftest import HEAD_SHA, a_plan, save
from tests.github.fake_github import FakeGitHub
from tests.helpers import tuneops
from tuneops.core.plan import Plan
from tuneops.notes import Note, NoteCode

MERGE_SHA = "e5bd3914e2e596debea16f433f57875b5b90bcd6"


def merged_42() -> dict[str, Any]:
    """Pull request 42 as GitHub lists it: merged into main as MERGE_SHA."""
    return {
        "number": 42,
        "merged_at": "2026-12-01T17:00:00Z",
        "merge_commit_sha": MERGE_SHA,
        "base": {"ref": "main"},
        "head": {"sha": HEAD_SHA},
    }


@pytest.fixture(autouse=True)
def _on_main(monkeypatch: pytest.MonkeyPatch) -> None:
    """A push to main, as the runner names it."""
    monkeypatch.setenv("GITHUB_REF", "refs/heads/main")


@pytest.fixture
def reviewed(github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    """Pull request 42 was planned (epochs 6) and merged as MERGE_SHA; now a push run."""
    assert tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'pr.json')}").code == 0
    github.state.pulls_of_commit[MERGE_SHA] = [merged_42()]
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    monkeypatch.setenv("GITHUB_SHA", MERGE_SHA)
    return github


def test_the_reviewed_plan_passes_even_with_a_new_fingerprint(
    reviewed: FakeGitHub, tmp_path: Path
) -> None:
    plan = save(a_plan(fingerprint="0" * 64), tmp_path / "plan.json")
    run = tuneops(f"tuneops github verify {plan}")
    assert (run.code, run.out) == (0, "")
    assert run.err == "the plan matches the plan reviewed on pull request #42\n"
    assert len(reviewed.comments(42)) == 1


def test_a_different_plan_stops_with_a_comment_saying_what_changed(
    reviewed: FakeGitHub, tmp_path: Path
) -> None:
    plan = save(a_plan(epochs=7), tmp_path / "plan.json")
    run = tuneops(f"tuneops github verify {plan}")
    assert run.code == 1
    job = "projects/1/locations/us-central1/tuningJobs/11"
    lines = [
        f"+ replace support-bot (spec {'7' * 16}; job {job}): not in the reviewed plan",
        f"- replace support-bot (spec {'6' * 16}; job {job}): reviewed, but no longer planned",
    ]
    assert run.err == (
        "".join(f"  {line}\n" for line in lines)
        + "error: the plan differs from the plan reviewed on pull request #42; nothing was "
        "applied (the pull request has a comment saying what changed)\n"
    )
    sticky, notice = reviewed.comments(42)
    assert sticky["body"].startswith("<!-- tuneops-plan stack=prod -->")
    assert notice["body"].startswith("### ⛔ tuneops did not apply <code>prod</code>")
    assert f"<pre>+ replace support-bot (spec {'7' * 16}; job {job}): not in" in notice["body"]


def test_a_stale_comment_is_not_a_review(reviewed: FakeGitHub, tmp_path: Path) -> None:
    reviewed.state.pulls_of_commit[MERGE_SHA][0]["head"]["sha"] = "1" * 40
    run = tuneops(f"tuneops github verify {save(a_plan(), tmp_path / 'plan.json')}")
    assert run.code == 1
    assert run.err.startswith(
        "  the plan comment shows commit 8a1f6e0c2b9d, but the pull request ended at "
        "111111111111: its last plan was never shown\n"
    )


def test_a_push_without_a_pull_request_is_refused(reviewed: FakeGitHub, tmp_path: Path) -> None:
    run = tuneops(f"tuneops github verify {save(a_plan(), tmp_path / 'plan.json')} --sha abc123")
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: commit abc123 came from no merged pull request, so no plan was reviewed; "
        "nothing was applied\n"
    )


def test_another_stack_was_never_reviewed(reviewed: FakeGitHub, tmp_path: Path) -> None:
    run = tuneops(f"tuneops github verify {save(a_plan(stack='staging'), tmp_path / 'p.json')}")
    assert run.code == 1
    assert run.err == (
        "error: pull request #42 has no tuneops plan comment for stack staging, "
        "so no plan was reviewed; nothing was applied\n"
    )


def test_a_plan_that_only_records_needs_no_review(github: FakeGitHub, tmp_path: Path) -> None:
    from tuneops.core.plan import Action, ActionKind, Plan
    from tuneops.specs.kinds import BackendKind

    promote = Action(
        ActionKind.PROMOTE,
        "bot",
        BackendKind.VERTEX,
        Note.of(NoteCode.PROMOTE_SUCCEEDED),
        job="j/1",
    )
    plan = save(Plan("prod", "f" * 64, (promote,), tuneops_version="0.1.0"), tmp_path / "p.json")
    run = tuneops(f"tuneops github verify {plan} --sha abc123")
    assert (run.code, run.err) == (
        0,
        "the plan starts and stops no job, so there was nothing to review\n",
    )
    assert github.calls() == []


def test_a_plan_too_large_to_embed_is_compared_by_digest(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from tuneops.core.plan import Action, ActionKind, Plan
    from tuneops.github.comment import read_reviewed
    from tuneops.specs.kinds import BackendKind

    def big(extra: int) -> Plan:
        actions = tuple(
            Action(
                ActionKind.CREATE,
                f"spec-{n:04d}",
                BackendKind.VERTEX,
                Note.of(NoteCode.NEW_SPEC),
                hashlib.sha256(str(n).encode()).hexdigest(),
            )
            for n in range(400 + extra)
        )
        return Plan("prod", "f" * 64, actions, tuneops_version="0.1.0")

    assert tuneops(f"tuneops github comment {save(big(0), tmp_path / 'pr.json')}").code == 0
    reviewed = read_reviewed(github.comments(42)[0]["body"])
    assert reviewed is not None and reviewed.actions is None  # only the digest fits
    github.state.pulls_of_commit[MERGE_SHA] = [merged_42()]
    monkeypatch.setenv("GITHUB_SHA", MERGE_SHA)
    same = tuneops(f"tuneops github verify {save(big(0), tmp_path / 'a.json')}")
    assert same.code == 0, same.err
    moved = tuneops(f"tuneops github verify {save(big(1), tmp_path / 'b.json')}")
    assert moved.code == 1
    assert moved.err.startswith(
        "  the plan's actions differ (too many to list here; see the job log)\n"
    )


def _pinned_on_merge(plan: Plan) -> Plan:
    """`plan` as an online plan computes it: the gs:// pins join each job start's hash
    (here, other pins than the ones `plan`'s hashes stood for)."""
    import hashlib
    from dataclasses import replace

    actions = tuple(
        replace(
            a,
            spec_hash=hashlib.sha256(a.spec_hash.encode()).hexdigest(),
            written_hash=a.spec_hash,
        )
        if a.kind.creates_job and a.spec_hash
        else a
        for a in plan.actions
    )
    return replace(plan, actions=actions, offline=False)


def _offline_review(github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    offline = replace(a_plan(), offline=True)
    assert tuneops(f"tuneops github comment {save(offline, tmp_path / 'pr.json')}").code == 0
    github.state.pulls_of_commit[MERGE_SHA] = [merged_42()]
    monkeypatch.setenv("GITHUB_SHA", MERGE_SHA)


def test_an_offline_review_vouches_for_the_specs_as_written(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _offline_review(github, tmp_path, monkeypatch)
    [comment] = github.comments(42)
    assert '"offline":true' in comment["body"].splitlines()[1]
    assert "Planned offline at commit" in comment["body"]
    assert "are pinned on merge, and are not part of this review." in comment["body"]
    merged = save(_pinned_on_merge(a_plan()), tmp_path / "plan.json")
    run = tuneops(f"tuneops github verify {merged}")
    assert (run.code, run.err) == (
        0,
        "the plan matches the plan reviewed on pull request #42 (an offline plan: the specs "
        "as written were reviewed; their gs:// datasets are pinned as they are now)\n",
    )


def test_an_offline_review_still_stops_an_edited_spec(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _offline_review(github, tmp_path, monkeypatch)
    merged = save(_pinned_on_merge(a_plan(epochs=7)), tmp_path / "plan.json")
    run = tuneops(f"tuneops github verify {merged}")
    assert run.code == 1
    assert run.err.startswith(
        f"  + replace support-bot (spec {'7' * 16}; job projects/1/locations/us-central1/"
        "tuningJobs/11): not in the reviewed plan\n"
    )


def test_an_online_review_stops_when_a_dataset_moved_since(
    reviewed: FakeGitHub, tmp_path: Path
) -> None:
    import hashlib

    assert '"offline":false' in reviewed.comments(42)[0]["body"].splitlines()[1]
    overwritten = save(_pinned_on_merge(a_plan()), tmp_path / "plan.json")
    run = tuneops(f"tuneops github verify {overwritten}")
    assert run.code == 1
    moved = hashlib.sha256(b"b" * 64).hexdigest()[:16]
    assert f"  + create summarizer (spec {moved}): not in the reviewed plan\n" in run.err
    assert f"  - create summarizer (spec {'b' * 16}): reviewed, but no longer planned\n" in run.err


def test_a_comment_from_before_offline_was_recorded_compares_the_full_hash(
    reviewed: FakeGitHub, tmp_path: Path
) -> None:
    from tuneops.github.comment import read_reviewed

    body = reviewed.comments(42)[0]["body"].replace(',"offline":false', "")
    found = read_reviewed(body)
    assert found is not None and found.offline is False and found.actions is not None
    assert read_reviewed(body.replace('"digest"', '"offline":"yes","digest"')) is None


def _forge(github: FakeGitHub, body: str, login: str = "mallory") -> None:
    """A comment by someone who may comment on the pull request, copying tuneops' marker."""
    github.state.next_id += 1
    github.state.comments.setdefault(42, []).insert(
        0, {"id": github.state.next_id, "user": {"login": login}, "body": body, "html_url": ""}
    )


def test_a_forged_review_comment_is_not_trusted(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Mallory pastes what a genuine comment for the epochs-7 plan would say; tuneops
    # never commented, so no plan was reviewed.
    genuine = tmp_path / "genuine"
    with monkeypatch.context() as scratch:
        from tests.github.fake_github import fake_github

        with fake_github() as other:
            scratch.setenv("GITHUB_API_URL", other.url)
            plan = save(a_plan(epochs=7), tmp_path / "pr.json")
            assert tuneops(f"tuneops github comment {plan}").code == 0
            genuine.write_text(other.comments(42)[0]["body"], encoding="utf-8")
    _forge(github, genuine.read_text("utf-8"))
    github.state.pulls_of_commit[MERGE_SHA] = [merged_42()]
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    monkeypatch.setenv("GITHUB_SHA", MERGE_SHA)
    run = tuneops(f"tuneops github verify {save(a_plan(epochs=7), tmp_path / 'plan.json')}")
    assert run.code == 1
    assert run.err == (
        "error: pull request #42 has no tuneops plan comment for stack prod, so no plan was "
        "reviewed; nothing was applied\n"
    )


def test_the_sticky_comment_never_edits_a_comment_of_someone_else(
    github: FakeGitHub, tmp_path: Path
) -> None:
    _forge(github, "<!-- tuneops-plan stack=prod -->\nlooks applied to me")
    assert tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}").code == 0
    forged, ours = github.comments(42)
    assert forged["body"].endswith("looks applied to me")
    assert ours["user"] == {"login": "github-actions[bot]"}
    assert not any(c.startswith("PATCH") for c in github.calls())


def test_a_personal_token_finds_its_own_comment_through_the_user_api(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.state.login = "release-bot"
    for _ in range(2):
        assert tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'p.json')}").code == 0
    [comment] = github.comments(42)
    assert comment["user"] == {"login": "release-bot"}


def test_the_comment_author_can_be_named(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forge(github, "<!-- tuneops-plan stack=prod -->\nold", login="tuning-app[bot]")
    monkeypatch.setenv("TUNEOPS_COMMENT_AUTHOR", "tuning-app[bot]")
    assert tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'p.json')}").code == 0
    [comment] = github.comments(42)
    assert comment["body"] != "<!-- tuneops-plan stack=prod -->\nold"
    assert "GET /user" not in github.calls()
