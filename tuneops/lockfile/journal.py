"""The apply journal: an fsynced, append-only record of each lockfile change.

Rewriting a 10,000-entry lockfile after each of 2,000 actions made apply
quadratic. Instead, while an apply runs, each change to one spec's entry is
appended to `<lockfile>.journal` as one JSON line (`{"name": ..., "entry": ...}`,
`entry` null for a removed spec) and fsynced before the action counts as done.
The lockfile is written once when the apply ends, and the journal removed.

An apply killed before that leaves the journal behind; whoever reads the
lockfile next folds it in (every line holds the whole entry, so folding twice
changes nothing), and the next write of the lockfile removes it. A last line
cut short by a crash is ignored: its action never reported success.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tuneops.errors import LockfileError

SUFFIX = ".journal"


def journal_path(lockfile_path: Path) -> Path:
    """Where the journal of a lockfile lives: next to it, on the same file system."""
    return lockfile_path.with_name(lockfile_path.name + SUFFIX)


def read_journal(lockfile_path: Path) -> tuple[bytes, list[tuple[str, Any]]]:
    """The journal's bytes and its (name, entry data) records, oldest first.

    No journal reads as empty. A line that is not a record raises LockfileError,
    except a torn last line, which a crash mid-append leaves and which is skipped.
    """
    path = journal_path(lockfile_path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return b"", []
    except OSError as error:
        raise LockfileError(f"cannot read the apply journal {path}: {error}") from None
    records: list[tuple[str, Any]] = []
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            name, entry = record["name"], record["entry"]
            if not isinstance(name, str) or not (entry is None or isinstance(entry, dict)):
                raise ValueError("not a journal record")
        except (ValueError, KeyError, TypeError):
            if number == len(lines):  # no newline after it: the append was cut short
                break
            raise LockfileError(
                f"the apply journal {path} is corrupt at line {number}; delete it and run "
                "`tuneops reconcile --write-lock`: the remote labels say which jobs exist"
            ) from None
        records.append((name, entry))
    return raw, records


class Journal:
    """An open journal: `record` appends one line and returns once it is on disk."""

    def __init__(self, lockfile_path: Path) -> None:
        self.path = journal_path(lockfile_path)
        self._fd: int | None = None

    def record(self, name: str, entry: dict[str, Any] | None) -> None:
        """Appends `name`'s whole new entry (None: removed) and fsyncs it."""
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            fsync_directory(self.path.parent)  # the new file's name must survive a crash too
        line = json.dumps({"name": name, "entry": entry}, separators=(",", ":"), sort_keys=True)
        data = (line + "\n").encode("utf-8")
        written = os.write(self._fd, data)
        if written != len(data):  # O_APPEND writes of a few KiB are whole on local disks
            raise OSError(f"short write to {self.path}")
        os.fsync(self._fd)

    def close(self) -> None:
        """Closes the file (the journal stays until the lockfile is written)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def discard_journal(lockfile_path: Path) -> None:
    """Removes the journal once the lockfile holds everything it recorded."""
    path = journal_path(lockfile_path)
    try:
        path.unlink()
    except FileNotFoundError:
        return
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Makes a rename or unlink durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
