"""`tuneops wait`'s arguments."""

from __future__ import annotations

import argparse

from tuneops.arguments.shared import FORMAT_HELP


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Which specs, the timeout and the poll interval."""
    parser.description = (
        "Poll until the current job of each spec has ended, keeping the lockfile "
        "true meanwhile. Exit 0 when all succeeded, 1 when any failed, 124 on timeout."
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these specs (default: all)")
    parser.add_argument("--timeout", metavar="DURATION", help="give up after this (exit 124)")
    parser.add_argument(
        "--poll-interval",
        default="10s",
        metavar="DURATION",
        help="time between polls (default: %(default)s)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_HELP)
