"""Where command output goes: results to stdout, diagnostics and progress to stderr.

Colour follows the conventions terminals agree on: `--no-color` and `NO_COLOR`
turn it off, `FORCE_COLOR` on, `TERM=dumb` and anything but a terminal off.
Text that the stream's encoding cannot carry (`PYTHONIOENCODING=ascii`, a C
locale) is written with ASCII stand-ins for tuneops' own symbols instead of
failing.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

# One character for one, where the symbol marks a column, so tables stay aligned.
ASCII_STAND_INS = {
    "±": "*",
    "↻": "@",
    "→": "->",
    "…": "...",
    "—": "--",
    "✓": "+",
    "✗": "x",
    "⛔": "!",
    "⏸": "=",
    "⚠": "!",
    "\ufe0f": "",  # the emoji presentation selector that follows ⚠
    "·": "-",
}
_TRANSLATION = str.maketrans(ASCII_STAND_INS)


def wants_color(stream: TextIO, env: dict[str, str] | None = None) -> bool:
    """Whether `stream` may carry ANSI colour, by the usual conventions."""
    env = dict(os.environ) if env is None else env
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    return stream.isatty()


def fit_encoding(text: str, encoding: str | None) -> str:
    """`text` as `encoding` can carry it: tuneops' symbols as ASCII, anything else as `?`."""
    if not encoding:
        return text
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        pass
    except LookupError:
        return text
    ascii_text = text.translate(_TRANSLATION)
    name = codecs.lookup(encoding).name
    return ascii_text.encode(name, errors="replace").decode(name)


@dataclass(slots=True)
class Console:
    """The two output streams of a command and whether they may carry colour."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    color: bool | None = None

    def __post_init__(self) -> None:
        if self.color is None:
            self.color = wants_color(self.out)

    def result(self, text: str = "") -> None:
        """Writes a line of the command's result (stdout)."""
        self._write(self.out, text)

    def note(self, text: str) -> None:
        """Writes a line of diagnostics or progress (stderr)."""
        self._write(self.err, text)

    def ask(self, question: str) -> str | None:
        """Asks on stderr and reads one answer from stdin, stripped; None at end of input."""
        self.note(question)
        try:
            return input().strip()
        except EOFError:
            return None

    def document(self, text: str) -> None:
        """Writes a whole document (JSON, Markdown) to stdout as it is, or fitted to
        the stream's encoding: JSON with `\\u` escapes, so its data stays exact."""
        encoding = getattr(self.out, "encoding", None)
        if fit_encoding(text, encoding) != text:
            try:
                text = json.dumps(json.loads(text), indent=2, ensure_ascii=True) + "\n"
            except ValueError:
                text = fit_encoding(text, encoding)
        self.out.write(text)
        self.out.flush()

    @staticmethod
    def _write(stream: TextIO, text: str) -> None:
        text = fit_encoding(text, getattr(stream, "encoding", None))
        print(text, file=stream, flush=True)

    @contextlib.contextmanager
    def showing_warnings(self, logger: str = "tuneops") -> Iterator[None]:
        """While the block runs, library warnings (a retry, say) appear on stderr as
        they happen: library code logs, only the command line shows."""
        console = self

        class _Notes(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                console.note(record.getMessage())

        handler = _Notes(logging.WARNING)
        target = logging.getLogger(logger)
        target.addHandler(handler)
        try:
            yield
        finally:
            target.removeHandler(handler)

    def paint(self, text: str, style: str) -> str:
        """Wraps `text` in an ANSI style when colour is on."""
        codes = {"red": "31", "green": "32", "yellow": "33", "cyan": "36", "bold": "1", "dim": "2"}
        if not self.color or style not in codes:
            return text
        return f"\033[{codes[style]}m{text}\033[0m"
