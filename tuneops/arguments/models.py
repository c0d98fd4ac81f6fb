"""`tuneops models`'s arguments."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The check, the day, and the format."""
    parser.description = (
        "The model catalogue: per model the backends and methods that tune it, "
        "its status today (available, deprecated, retired), shutdown, successor, adapter "
        "sizes and training price, each read from Google's documentation on a given day. "
        "Inside a project, tuneops.yaml's catalogue: changes are included."
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="list every spec and lockfile endpoint on a model near or past its shutdown; "
        "exit 1 when any is past",
    )
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="the status on this day, YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="a table, JSON for scripts, or Markdown (docs/models.md) (default: %(default)s)",
    )
