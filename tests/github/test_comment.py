"""`tuneops github comment`: one sticky comment per stack and pull request, over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.github.conftest import EVENTS, HEAD_SHA, a_plan, save
from tests.github.fake_github import TOKEN, FakeGitHub, fake_github
from tests.helpers import tuneops


def test_two_runs_on_one_pull_request_leave_one_comment_edited(
    github: FakeGitHub, tmp_path: Path
) -> None:
    first = tuneops(f"tuneops github comment {save(a_plan(epochs=6), tmp_path / 'plan.json')}")
    assert (first.code, first.err) == (0, "")
    assert first.out.startswith("created the plan comment for stack prod: https://")
    second = tuneops(f"tuneops github comment {save(a_plan(epochs=7), tmp_path / 'plan.json')}")
    assert second.code == 0
    assert second.out.startswith("updated the plan comment for stack prod: https://")
    [comment] = github.comments(42)
    assert comment["body"].startswith("<!-- tuneops-plan stack=prod -->\n")
    assert "<code>7</code>" in comment["body"] and "<code>6</code>" not in comment["body"]
    assert f"Planned at commit <code>{HEAD_SHA[:12]}</code> by tuneops 0.1.0" in comment["body"]
    assert github.calls() == [
        "GET /repos/acme/tuning/issues/42/comments",
        "POST /repos/acme/tuning/issues/42/comments",
        "GET /repos/acme/tuning/issues/42/comments",
        "GET /user",  # an Actions token may not read it: the comment is github-actions[bot]'s
        "PATCH /repos/acme/tuning/issues/comments/1001",
    ]


def test_a_second_stack_gets_its_own_comment(github: FakeGitHub, tmp_path: Path) -> None:
    for stack in ("prod", "staging", "prod"):
        plan = save(a_plan(stack=stack), tmp_path / f"{stack}.json")
        assert tuneops(f"tuneops github comment {plan}").code == 0
    bodies = [c["body"].splitlines()[0] for c in github.comments(42)]
    assert bodies == ["<!-- tuneops-plan stack=prod -->", "<!-- tuneops-plan stack=staging -->"]


def test_the_comment_is_found_on_a_later_page_and_under_an_enterprise_prefix(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with fake_github(prefix="/api/v3") as github:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        github.state.comments[42] = [
            {"id": n, "body": f"looks good {n}", "html_url": ""} for n in range(1, 251)
        ]
        plan = save(a_plan(), tmp_path / "plan.json")
        assert tuneops(f"tuneops github comment {plan}").code == 0
        assert tuneops(f"tuneops github comment {plan}").code == 0
        assert len(github.comments(42)) == 251
        pages = [c for c in github.calls() if c.startswith("GET /api/v3/repos")]
        assert pages == ["GET /api/v3/repos/acme/tuning/issues/42/comments"] * 6


def test_flags_name_the_pull_request_without_an_event(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    monkeypatch.delenv("GITHUB_REPOSITORY")
    plan = save(a_plan(), tmp_path / "plan.json")
    run = tuneops(f"tuneops github comment {plan} --repo acme/other --pr 7 --sha abcdef1234567")
    assert run.code == 0, run.err
    assert "commit <code>abcdef123456</code>" in github.comments(7)[0]["body"]
    assert github.calls()[-1] == "POST /repos/acme/other/issues/7/comments"


@pytest.mark.parametrize(
    ("status", "message", "headers", "expected"),
    [
        (
            401,
            "Bad credentials",
            {},
            "error: GitHub rejected the token (401: Bad credentials); "
            "set GITHUB_TOKEN to a valid token\n",
        ),
        (
            403,
            "Resource not accessible by integration",
            {},
            "error: GitHub refused GET /repos/acme/tuning/issues/42/comments "
            "(403: Resource not accessible by integration); the token needs the "
            "`pull-requests: write` permission\n",
        ),
        (
            404,
            "Not Found",
            {},
            "error: GitHub found nothing at GET /repos/acme/tuning/issues/42/comments (404): "
            "check the repository and pull request number, and that the token can see them\n",
        ),
        (
            422,
            "Validation Failed",
            {},
            "error: GitHub rejected GET /repos/acme/tuning/issues/42/comments "
            "(422: Validation Failed)\n",
        ),
        (
            429,
            "API rate limit exceeded",
            {"Retry-After": "60"},
            "error: GitHub API rate limit reached (429: API rate limit exceeded); "
            "try again after 60 seconds\n",
        ),
        (
            403,
            "You have exceeded a secondary rate limit",
            {"Retry-After": "30"},
            "error: GitHub API rate limit reached "
            "(403: You have exceeded a secondary rate limit); "
            "try again after 30 seconds\n",
        ),
    ],
)
def test_api_errors_give_one_line_and_exit_1(
    github: FakeGitHub,
    tmp_path: Path,
    status: int,
    message: str,
    headers: dict[str, str],
    expected: str,
) -> None:
    github.fail_next(status, message, **headers)
    run = tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}")
    assert (run.code, run.out, run.err) == (1, "", expected)
    assert github.comments(42) == []


def test_a_rejected_edit_says_what_github_said(github: FakeGitHub, tmp_path: Path) -> None:
    plan = save(a_plan(), tmp_path / "plan.json")
    assert tuneops(f"tuneops github comment {plan}").code == 0
    github.fail_next(422, "Body is too long (maximum is 65536 characters)", method="PATCH")
    run = tuneops(f"tuneops github comment {plan}")
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: GitHub rejected PATCH /repos/acme/tuning/issues/comments/1001 "
        "(422: Body is too long (maximum is 65536 characters))\n"
    )


def test_a_fork_pull_request_is_told_why_and_what_to_do(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(EVENTS / "pull_request_fork.json"))
    github.fail_next(403, "Resource not accessible by integration")
    run = tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}")
    assert run.code == 1
    assert run.err == (
        "error: GitHub refused the comment (403): this pull request comes from a fork, and "
        "GitHub gives fork pull requests a read-only token that cannot comment. Plan forks "
        "with `tuneops plan --offline` and read the plan in the step summary (the tuneops "
        "action does both by itself on forks)\n"
    )


def test_no_token_is_a_usage_error_that_says_how(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    run = tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}")
    assert run.code == 1
    assert run.err == (
        "error: set GITHUB_TOKEN to a token that may comment "
        "(in a workflow: `env: {GITHUB_TOKEN: ${{ github.token }}}`)\n"
    )
    assert github.calls() == []


def test_the_token_goes_to_the_api_host_only_and_is_never_printed(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.state.comments[42] = [{"id": n, "body": "x", "html_url": ""} for n in range(150)]
    github.state.next_link_override = "http://localhost:9/steal?page=2"
    run = tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}")
    assert run.code == 1
    assert run.err == (
        "error: GitHub's next-page link for GET /repos/acme/tuning/issues/42/comments leaves "
        f"the API at {github.url}; tuneops did not follow it, and no comment was written\n"
    )
    outputs = []
    for status in (401, 403, 404, 422, 429, 500):
        github.state.next_link_override = None
        github.fail_next(status, "failed")
        failed = tuneops(f"tuneops github comment {tmp_path / 'plan.json'}")
        outputs.append(failed.out + failed.err)
    ok = tuneops(f"tuneops github comment {tmp_path / 'plan.json'}")
    assert ok.code == 0
    outputs.append(ok.out + ok.err)
    assert all(TOKEN not in text for text in [run.out, run.err, *outputs])
    assert all(TOKEN not in c["body"] for c in github.comments(42))
    assert {r.headers.get("Authorization") for r in github.state.requests} == {f"Bearer {TOKEN}"}


def test_a_plan_file_cannot_smuggle_markup_into_the_marker(
    github: FakeGitHub, tmp_path: Path
) -> None:
    plan = save(a_plan(stack="x --><img src=y>"), tmp_path / "plan.json")
    run = tuneops(f"tuneops github comment {plan}")
    assert (run.code, run.err) == (1, "error: the plan names an invalid stack 'x --><img src=y>'\n")
    assert github.calls() == []


def test_the_token_is_not_in_the_clients_repr() -> None:
    from tuneops.github.rest import GitHubClient

    assert TOKEN not in repr(GitHubClient(TOKEN, "http://127.0.0.1:1"))


def test_a_plan_file_nested_too_deep_is_refused_before_any_call(
    github: FakeGitHub, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    run = tuneops(f"tuneops github comment {plan}")
    assert run.code == 1
    assert run.err == (
        f"error: cannot read the plan file {plan}: the plan is nested deeper than 16 levels\n"
    )
    assert github.calls() == []
