"""`tuneops github comment` and `tuneops github verify`: the pull-request side of CI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tuneops.commands import EXIT_ERROR, EXIT_OK
from tuneops.console import Console
from tuneops.github.pull_requests import comment_plan, needs_review, verify_plan
from tuneops.github.target import target_of
from tuneops.render.lines import (
    NOTHING_TO_REVIEW,
    comment_made,
    verify_differs,
    verify_matches,
)
from tuneops.render.wording import words
from tuneops.runtime.plan_file import read_applicable_plan, read_plan_file
from tuneops.server_text import clean


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
    target = target_of(repository, api_url, environ)
    verb, made = comment_plan(plan, plan_file.name, target, number=number, sha=sha, environ=environ)
    console.result(comment_made(verb, plan.stack, str(made.url or made.id)))
    return EXIT_OK


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
    """Checks that a plan does what the merged pull request's plan comment showed
    (`github.pull_requests.verify_plan`); on a difference, returns 1 so that the
    workflow stops before `tuneops apply`."""
    environ = environ if environ is not None else os.environ
    plan = read_applicable_plan(plan_file).plan
    if not needs_review(plan):
        console.note(NOTHING_TO_REVIEW)
        return EXIT_OK
    target = target_of(repository, api_url, environ)
    found = verify_plan(plan, target, sha=sha, branch=branch, environ=environ)
    number = found.number
    if found.differences:
        for line in words(
            found.differences
        ):  # names read back from a comment: one line each, no `::`
            console.note(f"  {clean(line, limit=1000)}")
        console.note(verify_differs(number))
        return EXIT_ERROR
    # An offline review never saw the datasets: the view says that it vouched for less.
    console.note(verify_matches(number, found.reviewed_offline))
    return EXIT_OK
