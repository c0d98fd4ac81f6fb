"""Where `tuneops github` talks to, from its flags and the runner's environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tuneops.errors import UsageError
from tuneops.github.rest import PUBLIC_API


@dataclass(frozen=True, slots=True)
class Target:
    """Where to talk to: the API, the repository, and the token (never shown)."""

    api_url: str
    repository: str
    token: str = field(repr=False)


def target_of(repository: str | None, api_url: str | None, environ: Mapping[str, str]) -> Target:
    """`--repo` or `GITHUB_REPOSITORY`, `--api-url` or `GITHUB_API_URL` (else the public
    API), and `GITHUB_TOKEN` or `GH_TOKEN`; a UsageError says what is missing."""
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


def run_url(environ: Mapping[str, str]) -> str | None:
    """The web page of the workflow run, when the runner says which."""
    server, repo, run = (
        environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None


def applied_branch(branch: str | None, environ: Mapping[str, str]) -> str:
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
