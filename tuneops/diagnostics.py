"""Positions in user files and the diagnostics that point at them."""

from __future__ import annotations

import enum
import functools
import os
from dataclasses import dataclass
from pathlib import Path


class Severity(str, enum.Enum):
    """How bad a diagnostic is; only errors stop a run."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a user file: 1-based line and column plus the JSON path of the value.

    `json_path` is rendered JSONPath-style (`$.spec.hyperParameters.epochCount`);
    line and column are 0 when the problem concerns the file as a whole.
    """

    file: str
    line: int = 0
    column: int = 0
    json_path: str = "$"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in one file, with where it is and what to do about it."""

    location: Location
    message: str
    severity: Severity = Severity.ERROR

    def line(self) -> str:
        """`FILE:LINE:COL: error: $.json.path: message` (LINE:COL left out when unknown)."""
        loc = self.location
        where = f"{loc.file}:{loc.line}:{loc.column}" if loc.line else loc.file
        return f"{where}: {self.severity.value}: {loc.json_path}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Orders diagnostics by file, then position, then path and message."""
        loc = self.location
        return (loc.file, loc.line, loc.column, loc.json_path, self.message)


def json_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """Renders path segments as `$.a.b[0]`; keys that are not identifiers are quoted."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part.replace("_", "a").replace("-", "a").isalnum() and not part[:1].isdigit():
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


def display_path(path: Path) -> str:
    """A path as shown to the user: relative to the working directory when inside it."""
    try:
        return _resolved(path).relative_to(_resolved_dir(_cwd(), ".")).as_posix()
    except ValueError:
        return path.as_posix()
    except (OSError, RuntimeError):
        # A symlink loop (RuntimeError before Python 3.13): show the path unresolved,
        # so that the diagnostic about the loop can be written at all.
        return _unresolved(path)


def _resolved(path: Path) -> Path:
    """`path.resolve()`, with its directory resolved once per run: validate shows
    thousands of files from a few directories, and resolving each path anew
    walked every component with a syscall (a tenth of validating 10,000 specs)."""
    if path.is_symlink():
        return path.resolve()
    return _resolved_dir(_cwd(), str(path.parent)) / path.name


def _cwd() -> str:
    return os.getcwd()  # noqa: PTH109 (a plain string key: Path.cwd() builds a Path per call)


@functools.lru_cache(maxsize=256)
def _resolved_dir(cwd: str, directory: str) -> Path:
    """`directory` (relative to `cwd`) resolved; the working directory is part of
    the key, so a relative directory is never answered for another one."""
    return (Path(cwd) / directory).resolve()


def _unresolved(path: Path) -> str:
    try:
        # The link itself, in its resolved directory: the entry the user made.
        return (path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return path.as_posix()
