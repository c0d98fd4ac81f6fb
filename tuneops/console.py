"""Where command output goes: results to stdout, diagnostics and progress to stderr."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TextIO


def _wants_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()


@dataclass(slots=True)
class Console:
    """The two output streams of a command and whether they may carry colour."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    color: bool | None = None

    def __post_init__(self) -> None:
        if self.color is None:
            self.color = _wants_color(self.out)

    def result(self, text: str = "") -> None:
        """Writes a line of the command's result (stdout)."""
        print(text, file=self.out, flush=True)

    def note(self, text: str) -> None:
        """Writes a line of diagnostics or progress (stderr)."""
        print(text, file=self.err, flush=True)

    def paint(self, text: str, style: str) -> str:
        """Wraps `text` in an ANSI style when colour is on."""
        codes = {"red": "31", "green": "32", "yellow": "33", "cyan": "36", "bold": "1", "dim": "2"}
        if not self.color or style not in codes:
            return text
        return f"\033[{codes[style]}m{text}\033[0m"
