"""`tuneops init`'s arguments."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Where to scaffold."""
    parser.description = (
        "Write tuneops.yaml and example specs that run against the embedded "
        "emulator, so every command works without a cloud account."
    )
    parser.add_argument(
        "dir", nargs="?", default=".", metavar="DIR", help="where (default: the current directory)"
    )
