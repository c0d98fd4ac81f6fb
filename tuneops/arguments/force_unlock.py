"""`tuneops force-unlock`'s arguments."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The lock id, and whether to ask first."""
    parser.description = (
        "Remove the shared lock object (`state:` in tuneops.yaml) if LOCK_ID, shown in the "
        "error of the run that waited for it, names it. Only for a holder that is gone: a "
        "running holder loses its lock and stops with an error."
    )
    parser.add_argument("lock_id", metavar="LOCK_ID", help="the lock id, as the error shows it")
    parser.add_argument("--force", action="store_true", help="do not ask for confirmation")
