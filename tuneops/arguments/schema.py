"""`tuneops schema`'s arguments."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Which schema."""
    parser.description = "Print the published JSON Schema of specs, tuneops.yaml or the lockfile."
    parser.add_argument(
        "which",
        choices=("spec", "config", "lockfile"),
        nargs="?",
        default="spec",
        help="which schema (default: %(default)s)",
    )
