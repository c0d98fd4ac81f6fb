"""`tuneops promote`'s arguments."""

from __future__ import annotations

import argparse

from tuneops.arguments.shared import FORMAT_HELP, lock_timeout_flag


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The spec, the revision, and the format."""
    parser.description = (
        "Record revision ID (a tuning job's id or full name) of spec NAME as active in the "
        "lockfile, serving the endpoint its gate chose, marked as promoted by hand. Only the "
        "lockfile changes."
    )
    parser.add_argument("name", metavar="NAME", help="the spec")
    parser.add_argument(
        "--revision", required=True, metavar="ID", help="the revision's job id or name"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_HELP)
    lock_timeout_flag(parser)
