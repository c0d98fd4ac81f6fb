"""`tuneops import`'s arguments."""

from __future__ import annotations

import argparse

from tuneops.arguments.shared import FORMAT_HELP


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The spec, the job or tuned model, and the format."""
    parser.description = (
        "Put tuneops' identity on a job or tuned model made elsewhere and record "
        "it in the lockfile under spec NAME, after checking that its settings match the spec."
    )
    parser.add_argument("name", metavar="NAME", help="the spec to import the job under")
    parser.add_argument("resource", metavar="RESOURCE", help="the job or tuned model name")
    parser.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_HELP)
