"""`tuneops github comment` and `tuneops github verify`'s arguments."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The two verbs, each with the plan file and where on GitHub."""
    verbs = parser.add_subparsers(dest="github_command", metavar="COMMAND", required=True)
    comment = verbs.add_parser(
        "comment", help="create or update the stack's one plan comment on a pull request"
    )
    comment.add_argument("plan_file", metavar="PLANFILE", help="from `tuneops plan --out FILE`")
    comment.add_argument("--pr", type=int, metavar="NUMBER", help="default: from the event")
    verify = verbs.add_parser(
        "verify", help="check a plan against the plan reviewed on the merged pull request"
    )
    verify.add_argument("plan_file", metavar="PLANFILE", help="from `tuneops plan --out FILE`")
    verify.add_argument(
        "--branch", metavar="BRANCH", help="the branch being applied (default: $GITHUB_REF)"
    )
    for verb in (comment, verify):
        verb.add_argument("--repo", metavar="OWNER/NAME", help="default: $GITHUB_REPOSITORY")
        verb.add_argument("--sha", metavar="SHA", help="the commit (default: from the event)")
        verb.add_argument("--api-url", metavar="URL", help="default: $GITHUB_API_URL")
