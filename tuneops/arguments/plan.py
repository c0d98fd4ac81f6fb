"""`tuneops plan`'s arguments."""

from __future__ import annotations

import argparse

from tuneops.arguments.shared import plan_flags


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Where to save the plan, its format and exit code, and what to plan."""
    parser.description = (
        "Compare the specs with the remote jobs and the lockfile and show the "
        "actions apply would take. Nothing is changed."
    )
    parser.add_argument("--out", metavar="FILE", help="save the plan for `tuneops apply FILE`")
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text for terminals, JSON for tools, Markdown for pull requests "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when there are changes"
    )
    parser.add_argument(
        "--offline", action="store_true", help="plan against the lockfile, without credentials"
    )
    plan_flags(parser)
