"""Where `tuneops github` talks to, from flags and the runner's environment."""

from __future__ import annotations

import pytest

from tuneops.errors import UsageError
from tuneops.github.rest import PUBLIC_API
from tuneops.github.target import applied_branch, run_url, target_of


def test_flags_win_over_the_environment_and_the_token_is_never_shown() -> None:
    environ = {"GITHUB_REPOSITORY": "acme/env", "GITHUB_TOKEN": "ghs_secret"}
    target = target_of("acme/flag", "https://ghe.example/api/v3", environ)
    assert (target.repository, target.api_url) == ("acme/flag", "https://ghe.example/api/v3")
    assert "ghs_secret" not in repr(target)
    assert target_of(None, None, {**environ, "GITHUB_TOKEN": ""} | {"GH_TOKEN": "t"}).api_url == (
        PUBLIC_API
    )


@pytest.mark.parametrize(
    ("repository", "environ", "message"),
    [
        (None, {"GITHUB_TOKEN": "t"}, "name the repository as OWNER/NAME"),
        ("acme", {"GITHUB_TOKEN": "t"}, "name the repository as OWNER/NAME"),
        ("acme/bot", {}, "set GITHUB_TOKEN to a token that may comment"),
    ],
)
def test_what_is_missing_is_named(
    repository: str | None, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        target_of(repository, None, environ)


def test_the_run_url_needs_server_repository_and_run() -> None:
    environ = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/bot",
        "GITHUB_RUN_ID": "7",
    }
    assert run_url(environ) == "https://github.com/acme/bot/actions/runs/7"
    assert run_url({**environ, "GITHUB_RUN_ID": ""}) is None


@pytest.mark.parametrize(
    ("branch", "environ", "expected"),
    [
        ("release", {"GITHUB_REF": "refs/heads/main"}, "release"),
        (None, {"GITHUB_REF": "refs/heads/main"}, "main"),
        (None, {"GITHUB_REF_NAME": "main"}, "main"),
    ],
)
def test_the_branch_being_applied(
    branch: str | None, environ: dict[str, str], expected: str
) -> None:
    assert applied_branch(branch, environ) == expected


@pytest.mark.parametrize(
    "environ",
    [{"GITHUB_REF": "refs/tags/v1"}, {"GITHUB_REF_NAME": "v1", "GITHUB_REF_TYPE": "tag"}, {}],
)
def test_a_tag_or_nothing_is_no_branch(environ: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="name the branch being applied with --branch"):
        applied_branch(None, environ)
