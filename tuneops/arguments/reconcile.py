"""`tuneops reconcile`'s arguments."""

from __future__ import annotations

import argparse

from tuneops.arguments.shared import FORMAT_HELP, plan_flags


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """What a cycle may write or apply, watching, and what to plan."""
    parser.description = (
        "Record what finished (promote, adopt, rebuild a lost lockfile) with "
        "--write-lock and report drift; jobs are created or cancelled only with --apply."
    )
    parser.add_argument("--write-lock", action="store_true", help="write the lockfile")
    parser.add_argument(
        "--apply", action="store_true", help="also apply changes (as apply --auto-approve)"
    )
    parser.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when there is drift"
    )
    parser.add_argument("--watch", action="store_true", help="run until stopped")
    parser.add_argument(
        "--interval",
        default="5m",
        metavar="DURATION",
        help="with --watch: time between cycles, such as 90s or 5m (default: %(default)s)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help=FORMAT_HELP + " (one line per cycle with --watch)",
    )
    plan_flags(parser)
