"""The two pull-request workflows of CI: comment a plan on its pull request, and
verify before apply that a plan is the one reviewed on the merged pull request.

The pieces (marker, body, what was reviewed, finding comments and the merged
pull request) are `github.comment`; the flags and environment, `github.target`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tuneops.core.plan import Plan
from tuneops.core.review import reviewed_actions
from tuneops.errors import UsageError
from tuneops.github.comment import (
    NOTHING_APPLIED,
    Comment,
    comment_body,
    find_comment,
    merged_pull_request,
    post_comment,
    read_reviewed,
    review_differences,
    upsert_comment,
)
from tuneops.github.environment import pull_request_of, read_event
from tuneops.github.rest import GitHubApiError, GitHubClient
from tuneops.github.target import Target, applied_branch, run_url
from tuneops.notes import Note
from tuneops.render.comment import mismatch_body
from tuneops.render.markdown import code

FORK_HINT = (
    "this pull request comes from a fork, and GitHub gives fork pull requests a read-only "
    "token that cannot comment. Plan forks with `tuneops plan --offline` and read the plan "
    "in the step summary (the tuneops action does both by itself on forks)"
)


def comment_plan(
    plan: Plan,
    plan_file_name: str,
    target: Target,
    *,
    number: int | None,
    sha: str | None,
    environ: Mapping[str, str],
) -> tuple[str, Comment]:
    """Creates or updates the stack's one plan comment: ("created" | "updated", comment).

    The pull request and commit default to the event's; a fork's read-only token
    gets a refusal that says why and what to do instead.
    """
    pull = pull_request_of(read_event(environ), target.repository)
    number = number or (pull.number if pull else None)
    if number is None:
        raise UsageError("no pull request: run on a pull_request event, or pass --pr NUMBER")
    sha = sha or (pull.head_sha if pull else None) or environ.get("GITHUB_SHA") or ""
    run = run_url(environ)
    where = f"the log of [the workflow run]({run})" if run else "the job log"
    body = comment_body(plan, sha, f"{where} and in the plan file {code(plan_file_name)}", run)
    client = GitHubClient(target.token, target.api_url)
    try:
        return upsert_comment(
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


@dataclass(frozen=True, slots=True)
class Verification:
    """How a plan compares with the plan reviewed on pull request `number`.

    `differences` is empty when they match; `reviewed_offline`: the review saw
    an offline plan (the specs as written, not their datasets' pins).
    """

    number: int
    differences: tuple[Note, ...]  # worded by the view (render.wording)
    reviewed_offline: bool


def needs_review(plan: Plan) -> bool:
    """Whether the plan starts or stops a job: a plan that only records needs no review."""
    return bool(reviewed_actions(plan))


def verify_plan(
    plan: Plan, target: Target, *, sha: str | None, branch: str | None, environ: Mapping[str, str]
) -> Verification:
    """Compares `plan` with the plan reviewed on the pull request whose merge into the
    branch being applied produced the commit (`merged_pull_request`); anything
    ambiguous refuses. On a difference it comments on the pull request, saying
    what changed."""
    sha = sha or environ.get("GITHUB_SHA")
    if not sha:
        raise UsageError("name the merged commit with --sha, or set GITHUB_SHA")
    branch = applied_branch(branch, environ)
    client = GitHubClient(target.token, target.api_url)
    try:
        pull = merged_pull_request(client, target.repository, sha, branch)
        if pull is None:
            raise UsageError(
                f"commit {sha[:12]} came from no merged pull request, so no plan was reviewed; "
                "nothing was applied"
            )
        number = pull.number
        author = environ.get("TUNEOPS_COMMENT_AUTHOR")
        found = find_comment(client, target.repository, number, plan.stack, author, NOTHING_APPLIED)
        reviewed = read_reviewed(found.body) if found else None
        if reviewed is None:
            raise UsageError(
                f"pull request #{number} has no tuneops plan comment for stack {plan.stack}, "
                "so no plan was reviewed; nothing was applied"
            )
        lines = review_differences(reviewed, pull.head_sha, plan)
        if lines:
            post_comment(client, target.repository, number, mismatch_body(plan.stack, sha, lines))
        return Verification(number, tuple(lines), reviewed.offline)
    finally:
        client.close()
