"""Reading user files as text: size limits and strict UTF-8, each failure a diagnostic.

Only regular files are read, opened without blocking (a FIFO or a device would
hang the run), and, when a project root is given, only files that resolve
inside it, symlinks followed: a pull request must not make tuneops read (and
echo in its errors) a file from elsewhere on the CI machine. A refusal never
shows the target's path or contents.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

from tuneops.diagnostics import Diagnostic, Location
from tuneops.specs.yaml_loader import position_of

MAX_SPEC_BYTES = 5 * 1024 * 1024
# The Gemini API documents 4 MB per training data set.
MAX_TRAINING_FILE_BYTES = 4 * 1024 * 1024


# Kernel and device trees: files there may be "regular" and still block forever.
_SYSTEM_TREES = frozenset({"proc", "sys", "dev"})


def outside_root(path: Path, root: Path) -> bool:
    """`path`, symlinks resolved, is not inside `root` (or lies in /proc, /sys, /dev)."""
    resolved = path.resolve()
    parts = resolved.parts
    if len(parts) > 1 and parts[1] in _SYSTEM_TREES:
        return True
    return not resolved.is_relative_to(_resolved_root(os.getcwd(), str(root)))  # noqa: PTH109


@functools.lru_cache(maxsize=16)
def _resolved_root(cwd: str, root: str) -> Path:
    """The project root resolved once per run (and working directory), not once per
    file: each file itself is still resolved anew, symlinks followed."""
    return (Path(cwd) / root).resolve()


def read_text(
    path: Path, display: str, max_bytes: int, root: Path | None = None
) -> str | Diagnostic:
    """The file's text, or a diagnostic that says why it cannot be used.

    With `root`, a file that resolves outside it is refused.
    """
    if root is not None and outside_root(path, root):
        return Diagnostic(
            Location(display),
            "the file resolves outside the project directory (a symlink?); "
            "only files inside the project are read",
        )
    try:
        raw = _read_regular(path, max_bytes)
    except OSError as error:
        return Diagnostic(Location(display), f"cannot read file: {error.strerror or error}")
    if isinstance(raw, str):
        return Diagnostic(Location(display), raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        prefix = raw[: error.start].decode("utf-8-sig", errors="replace")
        line, column = position_of(prefix, len(prefix))
        return Diagnostic(
            Location(display, line, column),
            f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})",
        )


def _read_regular(path: Path, max_bytes: int) -> bytes | str:
    """The bytes of a regular file, or why it is not read."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file (a FIFO, device or directory); only regular files are read"
        if info.st_size > max_bytes:
            return f"file is {info.st_size} bytes; the limit is {max_bytes} bytes"
        # Read one byte more than allowed: a file that grows, or lies about its
        # size, still stops at the limit.
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        return f"file is larger than the limit of {max_bytes} bytes"
    return raw
