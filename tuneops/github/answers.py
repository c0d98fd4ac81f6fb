"""The shapes of GitHub's answers, checked before anything in them is believed.

A comment whose body is a number, a pull request whose `head` is a string, a
POST that answers a list: none of these is what GitHub sends, and guessing
could edit the wrong comment or approve the wrong review. Each check returns a
frozen value with exactly the fields tuneops uses, or raises `rest.MalformedAnswerError`
naming the endpoint, the item and the field, and what tuneops had done by then.
A field GitHub may leave out is None here; deciding what its absence means is
the caller's job (`github verify` refuses, for instance).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tuneops.github.rest import Endpoint


@dataclass(frozen=True, slots=True)
class IssueComment:
    """A comment on an issue or pull request, as tuneops reads it."""

    id: int
    body: str
    author: str  # "" for a deleted user
    url: str


@dataclass(frozen=True, slots=True)
class PullRequest:
    """A pull request as a commit's pull-request list gives it."""

    number: int
    merged: bool
    merge_commit_sha: str | None
    base_ref: str | None
    head_sha: str | None


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _optional(data: Mapping[str, Any], key: str, label: str, at: Endpoint) -> str | None:
    """`data[key]`: a string, or None when absent or null; anything else is malformed."""
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise at.malformed(f"{label}{key} is not a string")
    return value


def _object(data: Any, at: Endpoint, label: str = "") -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise at.malformed(f"{label}not an object")
    return data


def _id(data: Mapping[str, Any], key: str, at: Endpoint, label: str = "") -> int:
    if data.get(key) is None:
        raise at.malformed(f"{label}{key} is missing")
    if not _integer(data[key]):
        raise at.malformed(f"{label}{key} is not an integer")
    value: int = data[key]
    return value


def login(data: Any, at: Endpoint) -> str:
    """The login of `GET /user`'s answer."""
    return _optional(_object(data, at), "login", "", at) or ""


def written_comment(data: Any, at: Endpoint, body: str) -> IssueComment:
    """The answer to creating or editing a comment with `body`."""
    data = _object(data, at)
    return IssueComment(_id(data, "id", at), body, "", _optional(data, "html_url", "", at) or "")


def listed_comment(data: Any, index: int, at: Endpoint) -> IssueComment:
    """Item `index` (from 1) of a page of comments."""
    data = _object(data, at, f"item {index}: ")
    number = _id(data, "id", at, f"item {index}: ")
    label = f"comment {number}: "
    user = data.get("user")
    if user is not None and not isinstance(user, Mapping):
        raise at.malformed(f"{label}user is not an object")
    author = _optional(user, "login", f"{label}user.", at) if user else None
    return IssueComment(
        number,
        _optional(data, "body", label, at) or "",
        author or "",
        _optional(data, "html_url", label, at) or "",
    )


def listed_pull(data: Any, index: int, at: Endpoint) -> PullRequest:
    """Item `index` (from 1) of a commit's pull requests."""
    data = _object(data, at, f"item {index}: ")
    number = _id(data, "number", at, f"item {index}: ")
    label = f"pull request #{number}: "
    parts: dict[str, Mapping[str, Any]] = {}
    for part in ("base", "head"):
        value = data.get(part)
        if value is not None and not isinstance(value, Mapping):
            raise at.malformed(f"{label}{part} is not an object")
        parts[part] = value or {}
    return PullRequest(
        number,
        _optional(data, "merged_at", label, at) is not None,
        _optional(data, "merge_commit_sha", label, at),
        _optional(parts["base"], "ref", f"{label}base.", at),
        _optional(parts["head"], "sha", f"{label}head.", at),
    )
