"""GitHub answers are believed no more than the Vertex ones (issue 22).

Each case is a real request to the fake GitHub API on 127.0.0.1, scripted to
answer what a broken or hostile server (or a man in the middle of a GitHub
Enterprise proxy) could: wrong shapes, a pull request of another branch, a
next-page link that climbs out of the API, a body dripped one byte at a time,
and error messages that echo credentials or carry workflow commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.github.conftest import HEAD_SHA, a_plan, save
from tests.github.fake_github import TOKEN, FakeGitHub, fake_github
from tests.helpers import tuneops

MERGE_SHA = "e5bd3914e2e596debea16f433f57875b5b90bcd6"
COMMENTS = "/repos/acme/tuning/issues/42/comments"
PULLS = f"/repos/acme/tuning/commits/{MERGE_SHA}/pulls"


def merged_pull(number: int, base: str = "main", merge_sha: str = MERGE_SHA) -> dict[str, Any]:
    """A pull request as GET /commits/{sha}/pulls lists it, merged into `base`."""
    return {
        "number": number,
        "merged_at": "2026-12-01T17:00:00Z",
        "merge_commit_sha": merge_sha,
        "base": {"ref": base},
        "head": {"sha": HEAD_SHA},
    }


@pytest.fixture
def merged(github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    """Pull request 42 was planned (epochs 6) and merged into main as MERGE_SHA."""
    assert tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'pr.json')}").code == 0
    github.state.pulls_of_commit[MERGE_SHA] = [merged_pull(42)]
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    monkeypatch.setenv("GITHUB_SHA", MERGE_SHA)
    monkeypatch.setenv("GITHUB_REF", "refs/heads/main")
    return github


def verify(tmp_path: Path, epochs: int = 6) -> Any:
    return tuneops(f"tuneops github verify {save(a_plan(epochs=epochs), tmp_path / 'plan.json')}")


# Item 2: the pull request whose merge produced the commit, on the branch applied.


def test_verify_ignores_a_pull_request_merged_into_another_branch(
    merged: FakeGitHub, tmp_path: Path
) -> None:
    # #7 (into scratch) was reviewed with epochs 7; #42 (into main) with epochs 6.
    p7 = save(a_plan(epochs=7), tmp_path / "p7.json")
    assert tuneops(f"tuneops github comment {p7} --pr 7 --sha {HEAD_SHA}").code == 0
    merged.state.pulls_of_commit[MERGE_SHA] = [
        merged_pull(7, base="scratch", merge_sha="7" * 40),
        merged_pull(42),
    ]
    run = verify(tmp_path, epochs=7)
    assert run.code == 1
    assert run.err.endswith(
        "error: the plan differs from the plan reviewed on pull request #42; nothing was "
        "applied (the pull request has a comment saying what changed)\n"
    )


def test_verify_refuses_when_no_pull_request_merged_as_this_commit_into_the_branch(
    merged: FakeGitHub, tmp_path: Path
) -> None:
    merged.state.pulls_of_commit[MERGE_SHA] = [merged_pull(7, base="scratch")]
    run = verify(tmp_path)
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: commit e5bd3914e2e5 is the merge of no pull request into main (GitHub lists "
        "#7, merged into scratch), so no plan was reviewed; nothing was applied\n"
    )


def test_verify_refuses_two_pull_requests_claiming_the_same_merge(
    merged: FakeGitHub, tmp_path: Path
) -> None:
    merged.state.pulls_of_commit[MERGE_SHA] = [merged_pull(42), merged_pull(43)]
    run = verify(tmp_path)
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: pull requests #42 and #43 both say they merged into main as commit "
        "e5bd3914e2e5; tuneops cannot tell which one was reviewed, so nothing was applied\n"
    )


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("merge_commit_sha", "its merge commit"),
        ("base", "the branch it merged into"),
    ],
)
def test_verify_refuses_a_merged_pull_request_that_does_not_say_where_it_merged(
    merged: FakeGitHub, tmp_path: Path, field: str, expected: str
) -> None:
    del merged.state.pulls_of_commit[MERGE_SHA][0][field]
    run = verify(tmp_path)
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        f"error: GitHub does not say {expected} for the merged pull request #42, so "
        "tuneops cannot tell whether it produced commit e5bd3914e2e5; nothing was applied\n"
    )


def test_verify_requires_the_pull_requests_last_commit(merged: FakeGitHub, tmp_path: Path) -> None:
    # The comment was made at HEAD_SHA; without head.sha nothing says that was the last push.
    merged.state.pulls_of_commit[MERGE_SHA][0]["head"] = {}
    run = verify(tmp_path)
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: GitHub does not say which commit pull request #42 ended at (head.sha), so "
        "tuneops cannot tell whether its plan comment shows its last plan; nothing was applied\n"
    )


def test_verify_needs_the_branch_being_applied(
    merged: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_REF")
    run = verify(tmp_path)
    assert (run.code, run.err) == (
        1,
        "error: name the branch being applied with --branch, or set GITHUB_REF "
        "(refs/heads/BRANCH)\n",
    )
    assert run.code == 1
    monkeypatch.setenv("GITHUB_REF_NAME", "main")  # what the runner sets beside GITHUB_REF
    assert verify(tmp_path).code == 0
    again = tuneops(f"tuneops github verify {tmp_path / 'plan.json'} --branch scratch")
    assert again.err.startswith("error: commit e5bd3914e2e5 is the merge of no pull request ")


# Item 1: every answer shape-checked before use.


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        (
            "GET",
            COMMENTS,
            [{"id": 5, "user": {"login": "x"}, "body": 12}],
            f"GitHub's answer to GET {COMMENTS} is malformed (comment 5: body is not a "
            "string); no comment was written",
        ),
        (
            "GET",
            COMMENTS,
            [{"id": 5, "user": "x", "body": "hi"}],
            f"GitHub's answer to GET {COMMENTS} is malformed (comment 5: user is not an "
            "object); no comment was written",
        ),
        (
            "GET",
            COMMENTS,
            [{"id": "5", "body": "hi"}],
            f"GitHub's answer to GET {COMMENTS} is malformed (item 1: id is not an "
            "integer); no comment was written",
        ),
        (
            "POST",
            COMMENTS,
            [{"id": 5}],
            f"GitHub's answer to POST {COMMENTS} is malformed (not an object); GitHub may "
            "have created the comment: look at pull request #42",
        ),
        (
            "POST",
            COMMENTS,
            {"html_url": "https://github.example/x"},
            f"GitHub's answer to POST {COMMENTS} is malformed (id is missing); GitHub may "
            "have created the comment: look at pull request #42",
        ),
    ],
)
def test_a_malformed_comment_answer_is_one_line_naming_the_endpoint_and_field(
    github: FakeGitHub, tmp_path: Path, method: str, path: str, body: Any, expected: str
) -> None:
    github.answer_next(method, path, body)
    run = tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}")
    assert (run.code, run.out, run.err) == (1, "", f"error: {expected}\n")


def test_a_malformed_edit_answer_says_the_edit_may_have_happened(
    github: FakeGitHub, tmp_path: Path
) -> None:
    plan = save(a_plan(), tmp_path / "plan.json")
    assert tuneops(f"tuneops github comment {plan}").code == 0
    github.answer_next("PATCH", r"/repos/acme/tuning/issues/comments/\d+", {"id": "1001"})
    run = tuneops(f"tuneops github comment {plan}")
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: GitHub's answer to PATCH /repos/acme/tuning/issues/comments/1001 is malformed "
        "(id is not an integer); GitHub may have updated the comment: look at pull request #42\n"
    )


def test_a_malformed_user_answer_is_refused(github: FakeGitHub, tmp_path: Path) -> None:
    plan = save(a_plan(), tmp_path / "plan.json")
    assert tuneops(f"tuneops github comment {plan}").code == 0
    github.answer_next("GET", "/user", {"login": 5})
    run = tuneops(f"tuneops github comment {plan}")
    assert (run.code, run.err) == (
        1,
        "error: GitHub's answer to GET /user is malformed (login is not a string); "
        "no comment was written\n",
    )


@pytest.mark.parametrize(
    ("pull", "what"),
    [
        ({"head": "8a1f6e0c"}, "pull request #42: head is not an object"),
        ({"number": None}, "item 1: number is missing"),
        ({"number": "42"}, "item 1: number is not an integer"),
        ({"base": {"ref": 3}}, "pull request #42: base.ref is not a string"),
        ({"merged_at": 1}, "pull request #42: merged_at is not a string"),
    ],
)
def test_a_malformed_pull_request_answer_is_refused(
    merged: FakeGitHub, tmp_path: Path, pull: dict[str, Any], what: str
) -> None:
    answer = {**merged_pull(42), **pull}
    answer = {k: v for k, v in answer.items() if v is not None}
    merged.answer_next("GET", PULLS, [answer])
    run = verify(tmp_path)
    assert (run.code, run.out, run.err) == (
        1,
        "",
        f"error: GitHub's answer to GET {PULLS} is malformed ({what}); nothing was applied\n",
    )


def test_a_pull_request_list_that_is_not_a_list_is_refused(
    merged: FakeGitHub, tmp_path: Path
) -> None:
    merged.answer_next("GET", PULLS, {"number": 42})
    run = verify(tmp_path)
    assert run.err == (
        f"error: GitHub's answer to GET {PULLS} is malformed (not a list); nothing was applied\n"
    )


# Item 1: pagination stays under the API root, after normalisation.


@pytest.mark.parametrize(
    "escape",
    [
        "/api/v3/../../login/oauth",
        "/api/v3/repos/../../login/oauth",
        "/api/v3/%2e%2e/login/oauth",
        "/api/v3/%2E%2E/%2e%2e/login/oauth",
        "/api/v3/./../login",
        "/api/v3\\..\\login",
    ],
)
def test_a_next_page_link_that_climbs_out_of_the_api_prefix_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, escape: str
) -> None:
    with fake_github(prefix="/api/v3") as github:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/tuning")
        github.state.comments[42] = [{"id": n, "body": "x"} for n in range(1, 151)]
        host = github.url.removesuffix("/api/v3")
        github.state.next_link_override = f"{host}{escape}?page=2"
        run = tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'p.json')} --pr 42")
        assert (run.code, run.out) == (1, "")
        assert run.err == (
            f"error: GitHub's next-page link for GET /repos/acme/tuning/issues/42/comments "
            f"leaves the API at {github.url}; tuneops did not follow it, and no comment "
            "was written\n"
        )
        assert all(r.path.startswith("/api/v3/repos/") for r in github.state.requests)


# Item 3: every body read under a hard per-request and per-command bound.


def test_a_dripping_answer_is_cut_at_the_per_request_bound(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuneops.github import rest

    monkeypatch.setattr(rest, "DEADLINES", rest.Deadlines(request_seconds=1, command_seconds=5))
    github.answer_next("GET", COMMENTS, [{"id": 1, "body": "x" * 100}], drip=0.2)
    run = tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}")
    assert (run.code, run.out, run.err) == (
        1,
        "",
        f"error: GitHub did not answer GET {COMMENTS} within 1 s; tuneops stopped waiting, "
        "and no comment was written\n",
    )
    assert github.comments(42) == []


def test_the_calls_of_one_command_stop_at_the_command_bound(github: FakeGitHub) -> None:
    from tuneops.github.rest import Deadlines, GitHubApiError, GitHubClient

    now = [0.0]

    def clock() -> float:
        now[0] += 50.0  # every reading of the clock: 50 s later
        return now[0]

    github.state.comments[42] = [{"id": n, "body": "x"} for n in range(1, 501)]
    client = GitHubClient(TOKEN, github.url, Deadlines(30, 120), clock=clock)
    with pytest.raises(GitHubApiError) as raised:
        list(client.pages(COMMENTS, "no comment was written"))
    client.close()
    assert str(raised.value) == (
        f"tuneops' calls to GitHub took 120 s in all, the bound for one command; it did "
        f"not send GET {COMMENTS}"
    )
    assert 1 <= len(github.state.requests) < 5


# Item 6: server text is redacted and made one harmless line.


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (f"Bad credentials Bearer {TOKEN}", "Bad credentials Bearer <redacted>"),
        (f"echo {TOKEN} done", "echo <redacted> done"),
        ("see ghp_" + "a1B2" * 9, "see <redacted>"),
        ("see github_pat_11ABCDEFG0_" + "x" * 40, "see <redacted>"),
        ("see gho_" + "Z" * 36 + " now", "see <redacted> now"),
        ("google ya29.a0AfH6SMBx-y_z.abc", "google <redacted>"),
        ("Authorization: token " + "f" * 40, "Authorization: token <redacted>"),
        ("Bad\n::error file=a.py::forged", "Bad ::error file=a.py::forged"),
        ("::warning::forged", "warning::forged"),
        ("\n  ::error::forged\r\n", "error::forged"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("bidi \u202eevil", "bidi \\u202eevil"),
    ],
)
def test_server_messages_are_redacted_and_one_harmless_line(
    github: FakeGitHub, tmp_path: Path, message: str, shown: str
) -> None:
    github.fail_next(401, message)
    run = tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}")
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        f"error: GitHub rejected the token (401: {shown}); set GITHUB_TOKEN to a valid token\n"
    )


def test_the_link_github_answers_is_shown_as_one_line(github: FakeGitHub, tmp_path: Path) -> None:
    github.answer_next(
        "POST", COMMENTS, {"id": 7, "html_url": "https://x/\n::error::forged"}, status=201
    )
    run = tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}")
    assert (run.code, run.out) == (
        0,
        "created the plan comment for stack prod: https://x/ ::error::forged\n",
    )


def test_a_rate_limit_wait_that_is_not_a_number_is_not_shown(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.fail_next(429, "slow down", **{"Retry-After": "\x1b[2J::error::x"})
    run = tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}")
    assert run.err == (
        "error: GitHub API rate limit reached (429: slow down); try again after a while\n"
    )


def test_a_review_whose_commit_is_not_a_commit_id_says_nothing(
    github: FakeGitHub, tmp_path: Path
) -> None:
    from tuneops.github.comment import read_reviewed

    assert tuneops(f"tuneops github comment {save(a_plan(), tmp_path / 'plan.json')}").code == 0
    body = github.comments(42)[0]["body"]
    assert read_reviewed(body) is not None
    assert read_reviewed(body.replace(HEAD_SHA, "\\u001b[2J::error::x")) is None
