"""`tuneops github comment` and `tuneops github verify`: the pull-request side of CI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tuneops.commands import EXIT_ERROR, EXIT_OK
from tuneops.console import Console
from tuneops.core.review import reviewed_actions
from tuneops.errors import UsageError
from tuneops.github.comment import (
    NOTHING_APPLIED,
    comment_body,
    find_comment,
    merged_pull_request,
    post_comment,
    read_reviewed,
    review_differences,
    upsert_comment,
)
from tuneops.github.environment import pull_request_of, read_event
from tuneops.github.rest import PUBLIC_API, GitHubApiError, GitHubClient
from tuneops.render.comment import mismatch_body
from tuneops.render.markdown import code
from tuneops.render.wording import words
from tuneops.runtime.plan_file import read_plan_file
from tuneops.server_text import clean

FORK_HINT = (
    "this pull request comes from a fork, and GitHub gives fork pull requests a read-only "
    "token that cannot comment. Plan forks with `tuneops plan --offline` and read the plan "
    "in the step summary (the tuneops action does both by itself on forks)"
)


@dataclass(frozen=True, slots=True)
class Target:
    """Where to talk to: the API, the repository, and the token (never shown)."""

    api_url: str
    repository: str
    token: str = field(repr=False)


def _target(repository: str | None, api_url: str | None, environ: Mapping[str, str]) -> Target:
    repository = repository or environ.get("GITHUB_REPOSITORY")
    if not repository or repository.count("/") != 1:
        raise UsageError("name the repository as OWNER/NAME with --repo, or set GITHUB_REPOSITORY")
    token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN")
    if not token:
        raise UsageError(
            "set GITHUB_TOKEN to a token that may comment (in a workflow: "
            "`env: {GITHUB_TOKEN: ${{ github.token }}}`)"
        )
    api = api_url or environ.get("GITHUB_API_URL") or PUBLIC_API
    return Target(api, repository, token)


def _run_url(environ: Mapping[str, str]) -> str | None:
    server, repo, run = (
        environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None


def comment(
    plan_file: Path,
    *,
    repository: str | None,
    number: int | None,
    sha: str | None,
    api_url: str | None,
    console: Console,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Creates or updates the stack's one plan comment on a pull request."""
    environ = environ if environ is not None else os.environ
    plan = read_plan_file(plan_file)
    target = _target(repository, api_url, environ)
    pull = pull_request_of(read_event(environ), target.repository)
    number = number or (pull.number if pull else None)
    if number is None:
        raise UsageError("no pull request: run on a pull_request event, or pass --pr NUMBER")
    sha = sha or (pull.head_sha if pull else None) or environ.get("GITHUB_SHA") or ""
    run_url = _run_url(environ)
    where = f"the log of [the workflow run]({run_url})" if run_url else "the job log"
    body = comment_body(plan, sha, f"{where} and in the plan file {code(plan_file.name)}", run_url)
    client = GitHubClient(target.token, target.api_url)
    try:
        verb, made = upsert_comment(
            client,
            target.repository,
            number,
            plan.stack,
            body,
            environ.get("TUNEOPS_COMMENT_AUTHOR"),
        )
    except GitHubApiError as error:
        if error.status == 403 and pull is not None and pull.from_fork:
            raise GitHubApiError(f"GitHub refused the comment (403): {FORK_HINT}", 403) from None
        raise
    finally:
        client.close()
    console.result(f"{verb} the plan comment for stack {plan.stack}: {made.url or made.id}")
    return EXIT_OK


def _branch(branch: str | None, environ: Mapping[str, str]) -> str:
    """The branch being applied: `--branch`, else the runner's `GITHUB_REF`
    (`refs/heads/BRANCH`), else `GITHUB_REF_NAME` unless it names a tag."""
    ref = environ.get("GITHUB_REF", "")
    if not branch and ref.startswith("refs/heads/"):
        branch = ref.removeprefix("refs/heads/")
    if not branch and not ref and environ.get("GITHUB_REF_TYPE", "branch") == "branch":
        branch = environ.get("GITHUB_REF_NAME")
    if not branch:
        raise UsageError(
            "name the branch being applied with --branch, or set GITHUB_REF (refs/heads/BRANCH)"
        )
    return branch


def verify(
    plan_file: Path,
    *,
    repository: str | None,
    sha: str | None,
    api_url: str | None,
    console: Console,
    branch: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Checks that a plan does what the merged pull request's plan comment showed.

    The pull request is the one whose merge into the branch being applied
    produced the commit (`merged_pull_request`); anything ambiguous refuses.
    On a difference it comments on the pull request, saying what changed, and
    returns 1 so that the workflow stops before `tuneops apply`.
    """
    environ = environ if environ is not None else os.environ
    plan = read_plan_file(plan_file)
    if plan.offline:
        raise UsageError("an offline plan cannot be applied: plan again with remote access")
    if not reviewed_actions(plan):
        console.note("the plan starts and stops no job, so there was nothing to review")
        return EXIT_OK
    target = _target(repository, api_url, environ)
    sha = sha or environ.get("GITHUB_SHA")
    if not sha:
        raise UsageError("name the merged commit with --sha, or set GITHUB_SHA")
    branch = _branch(branch, environ)
    client = GitHubClient(target.token, target.api_url)
    try:
        pull = merged_pull_request(client, target.repository, sha, branch)
        if pull is None:
            raise UsageError(
                f"commit {sha[:12]} came from no merged pull request, so no plan was reviewed; "
                "nothing was applied"
            )
        number = pull.number
        found = find_comment(
            client,
            target.repository,
            number,
            plan.stack,
            environ.get("TUNEOPS_COMMENT_AUTHOR"),
            NOTHING_APPLIED,
        )
        reviewed = read_reviewed(found.body) if found else None
        if reviewed is None:
            raise UsageError(
                f"pull request #{number} has no tuneops plan comment for stack {plan.stack}, "
                "so no plan was reviewed; nothing was applied"
            )
        lines = review_differences(reviewed, pull.head_sha, plan)
        if lines:
            post_comment(client, target.repository, number, mismatch_body(plan.stack, sha, lines))
            for line in words(lines):  # names read back from a comment: one line each, no `::`
                console.note(f"  {clean(line, limit=1000)}")
            console.note(
                f"error: the plan differs from the plan reviewed on pull request #{number}; "
                "nothing was applied (the pull request has a comment saying what changed)"
            )
            return EXIT_ERROR
    finally:
        client.close()
    # An offline review never saw the datasets: say that what it vouched for is less.
    offline = (
        " (an offline plan: the specs as written were reviewed; their gs:// datasets are "
        "pinned as they are now)"
        if reviewed.offline
        else ""
    )
    console.note(f"the plan matches the plan reviewed on pull request #{number}{offline}")
    return EXIT_OK
