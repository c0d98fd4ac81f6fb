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
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from tuneops.log_lines import LogFormat, json_line, level_of, utc_now
from tuneops.server_text import redact

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


# What a library log record may carry beyond its message (`extra=`).
_RECORD_FIELDS = ("spec", "job", "action", "note", "request_id", "duration", "service", "code")


@dataclass(slots=True)
class Console:
    """The two output streams of a command and whether they may carry colour.

    `log_format` is how stderr looks (text lines, or a JSON object per line);
    `scrub` masks secrets in every stderr line, in either form (the command line
    sets it to the backends' registry, which knows the credentials in use).
    """

    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    color: bool | None = None
    log_format: LogFormat = LogFormat.TEXT
    scrub: Callable[[str], str] = redact
    now: Callable[[], dt.datetime] = utc_now

    def __post_init__(self) -> None:
        if self.color is None:
            self.color = wants_color(self.out)

    def result(self, text: str = "") -> None:
        """Writes a line of the command's result (stdout)."""
        self._write(self.out, text)

    @property
    def structured(self) -> bool:
        """Whether stderr carries JSON objects rather than text."""
        return self.log_format is LogFormat.JSON

    def note(self, text: str) -> None:
        """Writes a line of diagnostics or progress (stderr); its level is read from
        its start (`error: `, `warning: `)."""
        self.log(level_of(text), "message", text)

    def log(self, level: str, event: str, text: str, **fields: object) -> None:
        """Writes one event to stderr: `text` as a line, or a JSON object with `event`
        and `fields` (spec, job, action, request_id, duration...)."""
        if self.structured:
            line = json_line(level, event, text, fields, self.scrub, self.now())
            print(line, file=self.err, flush=True)
        else:
            self._write(self.err, self.scrub(text))

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
                if getattr(record, "json_only", False) and not console.structured:
                    return
                extra = {key: getattr(record, key, None) for key in _RECORD_FIELDS}
                event = str(getattr(record, "event", None) or record.name)
                level = record.levelname.lower()
                console.log(level, event, record.getMessage(), **extra)

        # Text shows warnings only; JSON logs carry the info records too (each
        # applied action, a renewed credential), for a log collector to keep.
        level = logging.INFO if self.structured else logging.WARNING
        handler = _Notes(level)
        target = logging.getLogger(logger)
        previous = target.level
        target.addHandler(handler)
        if self.structured and (not previous or previous > level):
            target.setLevel(level)
        try:
            yield
        finally:
            target.removeHandler(handler)
            target.setLevel(previous)

    def paint(self, text: str, style: str) -> str:
        """Wraps `text` in an ANSI style when colour is on."""
        codes = {"red": "31", "green": "32", "yellow": "33", "cyan": "36", "bold": "1", "dim": "2"}
        if not self.color or style not in codes:
            return text
        return f"\033[{codes[style]}m{text}\033[0m"
