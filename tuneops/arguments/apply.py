"""`tuneops apply`'s arguments."""

from __future__ import annotations

import argparse

from tuneops.arguments.shared import FORMAT_HELP, plan_flags


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The saved plan, approval, parallelism, waiting, and what to plan."""
    parser.description = (
        "Plan, ask for confirmation, then create, replace and cancel jobs and "
        "record them in the lockfile. With PLANFILE, apply exactly that saved plan."
    )
    parser.add_argument(
        "plan_file", nargs="?", metavar="PLANFILE", help="a plan saved by `plan --out`"
    )
    parser.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    parser.add_argument(
        "--parallelism",
        type=int,
        default=8,
        metavar="N",
        help="remote calls made at once (default: %(default)s)",
    )
    parser.add_argument("--wait", action="store_true", help="then wait for the jobs to end")
    parser.add_argument("--timeout", metavar="DURATION", help="with --wait: give up after this")
    parser.add_argument(
        "--poll-interval",
        default="10s",
        metavar="DURATION",
        help="with --wait: time between polls (default: 10s)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_HELP)
    plan_flags(parser)
