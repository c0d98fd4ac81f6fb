"""The domain's closed sets (backends, job states) and the parts of a spec that need
no model: local datasets, defaults. Every layer from the lockfile up names
`BackendKind` and `JobState` from here, their one home.

Kept apart from `models` so that `tuneops validate` can check and hash specs
without importing pydantic or building the model classes (issue 12: start-up).
"""

from __future__ import annotations

import enum
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from tuneops.datasets.shared_examples import Turns
from tuneops.errors import TuneopsError


class DatasetFileError(TuneopsError):
    """A dataset file is no longer the regular file inside the project that was checked."""


class BackendKind(str, enum.Enum):
    """The remote services tuneops can run jobs on."""

    VERTEX = "vertex"
    GEMINI = "gemini"


class JobState(str, enum.Enum):
    """The lifecycle of a remote job, the same for every backend."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"

    @property
    def is_live(self) -> bool:
        """The job still runs, or will (and may still cost money)."""
        return self in _LIVE

    @property
    def in_flight(self) -> bool:
        """Queued or running: the job may still succeed (a cancelling job will not)."""
        return self in _IN_FLIGHT

    @property
    def has_ended(self) -> bool:
        """The job reached a final state."""
        return not self.is_live


_IN_FLIGHT = frozenset({JobState.PENDING, JobState.RUNNING})
_LIVE = _IN_FLIGHT | {JobState.CANCELLING}


class SpecDefaults(Protocol):
    """What loading a spec takes from `defaults:` in tuneops.yaml."""

    @property
    def backend(self) -> BackendKind: ...

    @property
    def project(self) -> str | None: ...

    @property
    def location(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class PlainDefaults:
    """`defaults:` read from the schema-checked configuration, without its model."""

    backend: BackendKind = BackendKind.VERTEX
    project: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class LocalDataset:
    """A local dataset file of a Vertex spec, checked and hashed at load time.

    `role` is `training` or `validation`; `path` is absolute; `sha256` names the
    content (and the uploaded object); the counts come from the offline checks.
    """

    role: str
    path: Path
    display: str
    sha256: str
    size_bytes: int
    examples: int
    estimated_tokens: int
    # Inline `examples` converted to JSONL: staged from these bytes, and `path`
    # is then the spec file that holds them (never read for the data).
    content: bytes | None = None
    # The training examples as the checker parsed them, kept for countTokens when
    # they fit the run's budget (datasets/shared_examples.py); None: read again.
    turns: tuple[Turns, ...] | None = field(default=None, compare=False, repr=False)

    def open(self) -> BinaryIO:
        """The dataset's bytes as a binary stream: its content, or its file.

        The file is opened without following a symlink in its last component,
        and the opened descriptor must be a regular file at exactly the path
        that was checked (inside the project): a file swapped for a symlink, or
        a folder on its way swapped for one, since it was checked is refused
        (`DatasetFileError`) before a byte of it is read. Read everything from
        the one stream: opening again is checking again.
        """
        if self.content is not None:
            return io.BytesIO(self.content)
        return open_checked(self.path, self.display)


def open_checked(path: Path, display: str) -> BinaryIO:
    """`path` (absolute, symlinks resolved, checked) opened for reading, if it still is
    that regular file; `DatasetFileError` otherwise."""
    refused = DatasetFileError(
        f"{display} is no longer the regular file inside the project that was checked "
        "(replaced by a symlink or moved?); nothing was read from it"
    )
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        raise refused from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode) or not _opened_at(descriptor, path):
            raise refused
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _opened_at(descriptor: int, path: Path) -> bool:
    """The open `descriptor` is the file at `path`: by its path in /proc where there is
    one (which no later swap of a folder can fake), else by device and inode."""
    try:
        return Path(f"/proc/self/fd/{descriptor}").readlink() == path
    except OSError:
        pass
    try:
        there, opened = path.lstat(), os.fstat(descriptor)
    except OSError:
        return False
    return (there.st_dev, there.st_ino) == (opened.st_dev, opened.st_ino)
