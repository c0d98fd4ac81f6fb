"""The sticky plan comment: one per stack and pull request, found again by a marker.

The comment carries, in hidden HTML comments, the stack it belongs to and what
the reviewers saw: the commit it was planned at, whether the plan was offline,
and the plan's changing actions (`tuneops.core.review`; an offline plan's
actions carry the specs' hashes as written, without dataset pins). On merge,
`tuneops github verify` reads them back to check that apply does exactly what
was reviewed.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tuneops.core.plan import Plan
from tuneops.core.review import ReviewedAction, differences, digest, reviewed_actions
from tuneops.errors import UsageError
from tuneops.github import answers
from tuneops.github.rest import Endpoint, GitHubApiError, GitHubClient, MalformedAnswerError
from tuneops.notes import Note, NoteCode, Severity
from tuneops.render.comment import comment_markdown
from tuneops.server_text import clean

# GitHub's limit on a comment is 65,536 characters; the plan gets 60,000 of it.
MAX_EMBEDDED_ACTIONS = 3_000  # characters of compressed actions kept in the comment
_REVIEW = re.compile(r"<!-- tuneops-reviewed (\{[^<>]*\}) -->")


_STACK = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_SHA = re.compile(r"[0-9a-f]{0,64}")


def marker(stack: str) -> str:
    """The hidden line that names the stack a comment belongs to."""
    if not _STACK.match(stack):  # a plan file is input: its stack must not end the comment
        raise UsageError(f"the plan names an invalid stack {stack[:60]!r}")
    return f"<!-- tuneops-plan stack={stack} -->"


@dataclass(frozen=True, slots=True)
class Reviewed:
    """What a plan comment says was reviewed."""

    sha: str
    digest: str
    actions: tuple[ReviewedAction, ...] | None  # None when too many to embed
    offline: bool = False  # absent from comments made before it was recorded


def _review_line(plan: Plan, sha: str) -> str:
    actions = reviewed_actions(plan, as_written=plan.offline)
    packed = json.dumps([a.to_data() for a in actions], separators=(",", ":"))
    encoded = base64.b64encode(zlib.compress(packed.encode("utf-8"), 9)).decode("ascii")
    data: dict[str, Any] = {"sha": sha, "digest": digest(actions), "offline": plan.offline}
    if len(encoded) <= MAX_EMBEDDED_ACTIONS:
        data["actions"] = encoded
    return f"<!-- tuneops-reviewed {json.dumps(data, separators=(',', ':'))} -->"


def comment_body(plan: Plan, sha: str, full_plan_at: str, run_url: str | None = None) -> str:
    """The comment: the hidden markers, then what the view shows (`render.comment`)."""
    shown = comment_markdown(plan, sha, full_plan_at, run_url)
    return f"{marker(plan.stack)}\n{_review_line(plan, sha)}\n{shown}"


def read_reviewed(body: str) -> Reviewed | None:
    """What a comment body says was reviewed, or None when it says nothing readable."""
    found = _REVIEW.search(body)
    if not found:
        return None
    try:
        data = json.loads(found.group(1))
        actions = None
        if "actions" in data:
            packed = zlib.decompress(base64.b64decode(data["actions"]))
            actions = tuple(ReviewedAction.from_data(a) for a in json.loads(packed))
        offline = data.get("offline", False)
        if not isinstance(offline, bool):
            return None
        sha = data["sha"]
        if not isinstance(sha, str) or not _SHA.fullmatch(sha):
            return None  # it is printed: nothing but a commit id may stand there
        return Reviewed(sha, str(data["digest"]), actions, offline)
    except (ValueError, KeyError, TypeError, zlib.error):
        return None


def review_differences(reviewed: Reviewed, head_sha: str, plan: Plan) -> tuple[Note, ...]:
    """Why `plan` is not what the comment showed (one note each), or () when it is.

    A comment made at another commit than the pull request's last one shows a
    plan nobody saw for the code that merged, whatever its actions. An offline
    review vouches for the specs as written only (`reviewed_actions`).
    """
    current = reviewed_actions(plan, as_written=reviewed.offline)
    if head_sha and reviewed.sha and head_sha != reviewed.sha:
        return (
            Note.of(
                NoteCode.REVIEW_COMMIT_UNSEEN, Severity.ERROR, reviewed=reviewed.sha, head=head_sha
            ),
        )
    if reviewed.actions is not None:
        return differences(reviewed.actions, current)
    if reviewed.digest != digest(current):
        return (Note.of(NoteCode.REVIEW_ACTIONS_DIFFER, Severity.ERROR),)
    return ()


@dataclass(frozen=True, slots=True)
class Comment:
    """A pull-request comment: its id, link and text."""

    id: int
    url: str
    body: str


# Who writes the comment when the token cannot say (an Actions GITHUB_TOKEN may
# not read /user); TUNEOPS_COMMENT_AUTHOR names another bot or user.
ACTIONS_BOT = "github-actions[bot]"
NOTHING_WRITTEN = "no comment was written"


def comment_author(client: GitHubClient, explicit: str | None, done: str = NOTHING_WRITTEN) -> str:
    """The login tuneops comments as: `explicit`, else the token's own user, else the
    Actions bot (whose installation token GitHub refuses on /user)."""
    if explicit:
        return explicit
    try:
        login = answers.login(
            client.call("GET", "/user", done=done), Endpoint("GET", "/user", done)
        )
    except GitHubApiError as error:
        if error.status not in (401, 403, 404):
            raise
        login = ""
    return login or ACTIONS_BOT


def find_comment(
    client: GitHubClient,
    repository: str,
    number: int,
    stack: str,
    author: str | None = None,
    done: str = NOTHING_WRITTEN,
) -> Comment | None:
    """The stack's plan comment on a pull request: the oldest with the stack's marker
    that tuneops itself wrote.

    Anyone who may comment on a pull request can copy the marker; only a comment by
    the login tuneops posts as (`comment_author`) is trusted, as the record of what
    was reviewed and as the comment to edit. `done` says what tuneops has done,
    should GitHub's answer be malformed.
    """
    wanted = marker(stack)
    path = f"/repos/{repository}/issues/{number}/comments"
    at = Endpoint("GET", path, done)
    listed = [
        answers.listed_comment(item, index, at)
        for index, item in enumerate(client.pages(path, done), start=1)
    ]
    marked = [c for c in listed if c.body.startswith(wanted + "\n") or c.body == wanted]
    if not marked:
        return None
    login = comment_author(client, author, done)
    for item in marked:
        if item.author == login:
            return Comment(item.id, clean(item.url), item.body)
    return None


def _written(
    client: GitHubClient, method: str, path: str, body: str, done: str
) -> answers.IssueComment:
    """Creates or edits a comment; what GitHub says it wrote."""
    try:
        answer = client.call(method, path, {"body": body}, done=done)
    except GitHubApiError as error:
        if error.status is None and not isinstance(error, MalformedAnswerError):
            # Cut off or unreachable after sending: it may or may not have acted.
            raise GitHubApiError(f"{error}; {done}") from None
        raise
    return answers.written_comment(answer, Endpoint(method, path, done), body)


def upsert_comment(
    client: GitHubClient,
    repository: str,
    number: int,
    stack: str,
    body: str,
    author: str | None = None,
) -> tuple[str, Comment]:
    """Edits the stack's comment in place, or creates it: ("updated" | "created", comment)."""
    try:
        existing = find_comment(client, repository, number, stack, author)
    except GitHubApiError as error:
        if error.status is None and not isinstance(error, MalformedAnswerError):
            raise GitHubApiError(f"{error}, and {NOTHING_WRITTEN}") from None
        raise
    if existing is not None:
        path = f"/repos/{repository}/issues/comments/{existing.id}"
        done = f"GitHub may have updated the comment: look at pull request #{number}"
        written = _written(client, "PATCH", path, body, done)
        verb = "updated"
    else:
        path = f"/repos/{repository}/issues/{number}/comments"
        done = f"GitHub may have created the comment: look at pull request #{number}"
        written = _written(client, "POST", path, body, done)
        verb = "created"
    return verb, Comment(written.id, clean(written.url), body)


def post_comment(client: GitHubClient, repository: str, number: int, body: str) -> None:
    """A new comment (a notification for everyone on the pull request)."""
    path = f"/repos/{repository}/issues/{number}/comments"
    done = f"GitHub may have posted the notice on pull request #{number}"
    _written(client, "POST", path, body, done)


NOTHING_APPLIED = "nothing was applied"


@dataclass(frozen=True, slots=True)
class MergedPull:
    """The pull request whose merge produced the commit being applied."""

    number: int
    head_sha: str


def _listed(pulls: Sequence[answers.PullRequest]) -> str:
    shown = [f"#{p.number}, merged into {clean(p.base_ref or '?', limit=60)}" for p in pulls]
    return f" (GitHub lists {'; '.join(shown)})" if shown else ""


def merged_pull_request(
    client: GitHubClient, repository: str, sha: str, branch: str
) -> MergedPull | None:
    """The one merged pull request into `branch` whose merge commit is `sha`, with the
    commit it ended at; None when no pull request at all was merged with `sha`.

    GitHub lists every pull request that contains the commit, of any branch, in
    no promised order: only the base branch and the merge commit single out the
    one that produced it. Anything that leaves a doubt is refused (`UsageError`
    saying why): a merged pull request that does not say its base or merge
    commit, two that both claim it, or one without `head.sha` (without it, a
    comment made at an older commit would pass for the last plan).
    """
    path = f"/repos/{repository}/commits/{sha}/pulls"
    at = Endpoint("GET", path, NOTHING_APPLIED)
    pulls = [
        answers.listed_pull(item, index, at)
        for index, item in enumerate(client.pages(path, NOTHING_APPLIED), start=1)
    ]
    merged = [p for p in pulls if p.merged]
    if not merged:
        return None
    for pull, lacking, what in (
        *((p, p.merge_commit_sha is None, "its merge commit") for p in merged),
        *((p, p.base_ref is None, "the branch it merged into") for p in merged),
    ):
        if lacking:
            raise UsageError(
                f"GitHub does not say {what} for the merged pull request #{pull.number}, so "
                f"tuneops cannot tell whether it produced commit {sha[:12]}; {NOTHING_APPLIED}"
            )
    mine = [p for p in merged if p.merge_commit_sha == sha and p.base_ref == branch]
    if not mine:
        raise UsageError(
            f"commit {sha[:12]} is the merge of no pull request into {branch}"
            f"{_listed(merged)}, so no plan was reviewed; {NOTHING_APPLIED}"
        )
    if len(mine) > 1:
        numbers = [f"#{p.number}" for p in mine]
        raise UsageError(
            f"pull requests {', '.join(numbers[:-1])} and {numbers[-1]} both say they merged "
            f"into {branch} as commit {sha[:12]}; tuneops cannot tell which one was reviewed, "
            f"so {NOTHING_APPLIED}"
        )
    [pull] = mine
    if not pull.head_sha:
        raise UsageError(
            f"GitHub does not say which commit pull request #{pull.number} ended at "
            "(head.sha), so tuneops cannot tell whether its plan comment shows its last plan; "
            f"{NOTHING_APPLIED}"
        )
    return MergedPull(pull.number, pull.head_sha)
