"""A lock on the checkout, so that two applies never run against one lockfile at once."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from tuneops.errors import ApplyLockedError


@contextlib.contextmanager
def apply_lock(state_dir: Path) -> Iterator[None]:
    """Holds `.tuneops/apply.lock` exclusively; fails at once if another process holds it.

    An advisory `flock`: the kernel drops it when the holder exits, however it
    exits, so a crashed apply never leaves a stale lock behind.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "apply.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text(encoding="utf-8").strip()
            raise ApplyLockedError(
                f"another apply is running in this checkout ({holder or 'another process'}); "
                "wait for it to finish and try again"
            ) from None
        os.ftruncate(fd, 0)
        with contextlib.suppress(OSError):
            # Who holds the lock is a courtesy for the next caller; a full disk
            # must not turn it into a crash (the lockfile probe reports that).
            os.write(fd, f"pid {os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
