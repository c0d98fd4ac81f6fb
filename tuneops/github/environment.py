"""Where tuneops runs on GitHub Actions: detection, the repository root, the event."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def on_actions(environ: Mapping[str, str] | None = None) -> bool:
    """True on a GitHub Actions runner (`GITHUB_ACTIONS=true`)."""
    return (environ if environ is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def _git_top_level(start: Path) -> Path | None:
    """The nearest directory holding `.git` (a directory, or a worktree's file)."""
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def repository_root(environ: Mapping[str, str] | None = None) -> Path:
    """`GITHUB_WORKSPACE`, else the git top level, else the working directory."""
    environ = environ if environ is not None else os.environ
    cwd = Path.cwd().resolve()
    workspace = environ.get("GITHUB_WORKSPACE")
    if workspace:
        return Path(workspace).resolve()
    return _git_top_level(cwd) or cwd


def repository_path(shown: str, root: Path) -> str:
    """A path as tuneops shows it (relative to the working directory, which `-C`
    moves) rewritten relative to the repository root, where annotations point."""
    absolute = (Path.cwd() / shown).resolve()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return shown


@dataclass(frozen=True, slots=True)
class PullRequest:
    """The pull request a run is about, as the event payload or the flags name it."""

    repository: str
    number: int
    head_sha: str | None
    from_fork: bool


def read_event(environ: Mapping[str, str] | None = None) -> Mapping[str, Any]:
    """The webhook payload at `GITHUB_EVENT_PATH`, or an empty mapping."""
    environ = environ if environ is not None else os.environ
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return payload if isinstance(payload, dict) else {}


def pull_request_of(event: Mapping[str, Any], repository: str) -> PullRequest | None:
    """The pull request of a `pull_request` (or `pull_request_target`) payload."""
    pull = event.get("pull_request")
    if not isinstance(pull, dict) or not isinstance(pull.get("number"), int):
        return None
    head = pull.get("head") if isinstance(pull.get("head"), dict) else {}
    base = pull.get("base") if isinstance(pull.get("base"), dict) else {}
    head_repo = (head.get("repo") or {}).get("full_name") if isinstance(head, dict) else None
    base_repo = (base.get("repo") or {}).get("full_name") if isinstance(base, dict) else None
    sha = head.get("sha") if isinstance(head, dict) else None
    return PullRequest(
        repository=repository,
        number=pull["number"],
        head_sha=sha if isinstance(sha, str) else None,
        from_fork=bool(head_repo and base_repo and head_repo != base_repo),
    )
