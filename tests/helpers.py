"""Helpers that let tests read like shell lines: `tuneops("tuneops -C dir validate")`."""

from __future__ import annotations

import io
import shlex
from dataclasses import dataclass

from tuneops.cli import main
from tuneops.console import Console


@dataclass(frozen=True)
class Run:
    """What one command printed and returned."""

    code: int
    out: str
    err: str


def tuneops(command_line: str) -> Run:
    """Runs a tuneops command line in-process and captures both streams."""
    argv = shlex.split(command_line)
    assert argv[0] == "tuneops", "command lines start with 'tuneops'"
    out, err = io.StringIO(), io.StringIO()
    code = main(argv[1:], Console(out, err, color=False))
    return Run(code, out.getvalue(), err.getvalue())
