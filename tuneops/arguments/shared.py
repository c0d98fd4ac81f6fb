"""Flags and help text that more than one command shares."""

from __future__ import annotations

import argparse

FORMAT_HELP = (
    "output format (default: text); json documents are described in docs/output-formats.md"
)


def plan_flags(parser: argparse.ArgumentParser) -> None:
    """What to plan: `plan`, `apply` and `reconcile` take the same targets and guards."""
    parser.add_argument(
        "--target", action="append", default=[], metavar="NAME", help="only this spec (repeatable)"
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="start failed jobs of unchanged specs again"
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="allow cancelling everything when no spec is left",
    )
    parser.add_argument(
        "--max-cancel", type=int, metavar="N", help="raise guards.maxCancel (tuneops.yaml; 5)"
    )
    parser.add_argument(
        "--max-create", type=int, metavar="N", help="raise guards.maxCreate (tuneops.yaml; 20)"
    )
