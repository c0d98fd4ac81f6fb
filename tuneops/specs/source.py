"""Reading user files as text: size limits and strict UTF-8, each failure a diagnostic."""

from __future__ import annotations

from pathlib import Path

from tuneops.diagnostics import Diagnostic, Location
from tuneops.specs.yaml_loader import position_of

MAX_SPEC_BYTES = 5 * 1024 * 1024
# The Gemini API documents 4 MB per training data set.
MAX_TRAINING_FILE_BYTES = 4 * 1024 * 1024


def read_text(path: Path, display: str, max_bytes: int) -> str | Diagnostic:
    """The file's text, or a diagnostic that says why it cannot be used."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Diagnostic(
                Location(display),
                f"file is {size} bytes; the limit is {max_bytes} bytes",
            )
        raw = path.read_bytes()
    except OSError as error:
        return Diagnostic(Location(display), f"cannot read file: {error.strerror or error}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        prefix = raw[: error.start].decode("utf-8-sig", errors="replace")
        line, column = position_of(prefix, len(prefix))
        return Diagnostic(
            Location(display, line, column),
            f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})",
        )
