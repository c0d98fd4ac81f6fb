"""`tuneops status`'s arguments."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Which specs, the format, and whether to ask the remote services."""
    parser.description = (
        "One row per spec: whether apply has anything to do (sync) and what its "
        "jobs do (health), read from the remote services."
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="only these specs, with model, data statistics and experiment (default: all)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="a table, or JSON with every field (default: %(default)s)",
    )
    parser.add_argument("--offline", action="store_true", help="use the lockfile only")
