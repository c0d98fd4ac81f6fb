"""`tuneops validate`'s arguments."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The paths to check and the output format."""
    parser.description = (
        "Check tuneops.yaml and the specs against their schemas, offline, and "
        "report every problem with file:line:column and JSON path. Exit 1 on any error."
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="spec files or directories (default: all specs)"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text lines, one JSON document, or GitHub workflow annotations (default: %(default)s)",
    )
