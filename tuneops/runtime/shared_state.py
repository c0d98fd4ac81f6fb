"""`state:` in tuneops.yaml: the shared lock around a command, and the lockfile copy.

Without `state:` nothing here runs and the checkout lock is the only lock. With
it, every command that changes jobs or the lockfile holds the stack's lock
object in Cloud Storage for its whole run (docs/shared-state.md). With
`copyLockfile: true` the lockfile is also copied to the bucket when the command
ends, under a generation precondition taken when the lock was: a writer whose
view is stale is refused with an error, and nothing is merged. The git
lockfile stays the record that is reviewed; the copy is for readers without a
checkout (a dashboard, a cluster job).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tuneops.backends.storage.client import GcsUri, StorageClient
from tuneops.errors import ConfigError, StateConflictError, TuneopsError
from tuneops.project.file import Project
from tuneops.runtime.checkout_lock import apply_lock
from tuneops.runtime.session import STATE_DIR, RemoteSession
from tuneops.runtime.state_lock import LOCK_OBJECT, FoundLock, Heartbeat, SharedLock, state_uri

log = logging.getLogger("tuneops.runtime")

LOCKFILE_COPY = "tuneops.lock"
# Like Terraform's -lock-timeout, but not 0 by default: a scheduled reconcile and
# a merge's apply meeting is the normal case, and either is over in seconds.
DEFAULT_LOCK_TIMEOUT = 120.0


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


@dataclass(frozen=True, slots=True)
class LockfileCopy:
    """The copy in the bucket as it was when the lock was taken (generation 0: none)."""

    storage: StorageClient
    uri: GcsUri
    path: Path
    generation: int
    md5: str | None

    @classmethod
    def read(cls, storage: StorageClient, uri: GcsUri, path: Path) -> LockfileCopy:
        """Notes the generation of the copy now, which the write at the end must replace."""
        found = storage.metadata(uri)
        if found is None:
            return cls(storage, uri, path, 0, None)
        return cls(storage, uri, path, found.generation, found.md5)

    def write(self) -> None:
        """Copies the local lockfile over exactly the generation read (unless unchanged)."""
        if not self.path.is_file():
            return
        data = self.path.read_bytes()
        digest = _md5(data)
        if digest == self.md5:
            return
        written = self.storage.upload(
            data, self.uri, "application/yaml", size=len(data), replacing=self.generation or None
        )
        if written is not None:
            return
        now = self.storage.metadata(self.uri)
        if now is not None and now.md5 == digest:
            return  # our own write, whose answer was lost and retried
        raise StateConflictError(
            f"the lockfile copy {self.uri} was written by another run since this one took "
            f"the lock ({f'generation {self.generation}' if self.generation else 'no copy'} "
            f"then, {f'generation {now.generation}' if now else 'no copy'} now), so it was "
            f"not overwritten and nothing was merged; the local lockfile {self.path.name} is "
            "intact. Run `tuneops plan` to see where the stack stands"
        )


def _state_lock(project: Project, session: RemoteSession) -> SharedLock | None:
    settings = project.config.state
    if settings is None:
        return None
    uri = state_uri(settings.bucket, project.config.stack, LOCK_OBJECT)
    return SharedLock(session.storage(), uri, lease_seconds=settings.lease_seconds)


def _finish(lock: SharedLock, heartbeat: Heartbeat, copy: LockfileCopy | None) -> list[Exception]:
    """Stops renewing, writes the copy, releases; returns what went wrong, in order."""
    heartbeat.stop()
    if heartbeat.lost is not None:
        return [heartbeat.lost]  # not ours any more: write nothing, delete nothing
    held = heartbeat.held
    problems: list[Exception] = []
    if copy is not None:
        try:
            # A renewal is a write conditional on our generation: it proves the lock
            # is still ours right before the copy is written.
            held = lock.renew(held)
        except StateConflictError as lost:
            return [lost]  # the lock was taken: write nothing, delete nothing
        except TuneopsError as error:
            problems.append(error)  # unproven: no copy, but still release
        else:
            try:
                copy.write()
            except TuneopsError as error:
                problems.append(error)
    try:
        lock.release(held)
    except TuneopsError as error:
        problems.append(error)
    return problems


@contextlib.contextmanager
def shared_state(
    project: Project,
    session: RemoteSession,
    *,
    operation: str,
    lock_timeout: float,
) -> Iterator[None]:
    """Holds the stack's shared lock (when `state:` is set) around the block.

    Waits up to `lock_timeout` seconds for another holder (`StateLockedError`
    after that). When the block ends the lockfile copy is written (if kept) and
    the lock released; a failure there is raised after a successful block, and
    only logged as a warning after a failed one, whose own error is the one shown.
    """
    lock = _state_lock(project, session)
    if lock is None:
        yield
        return
    settings = project.config.state
    assert settings is not None
    held = lock.acquire(project.config.stack, operation, timeout=lock_timeout)
    heartbeat = Heartbeat(lock, held)
    heartbeat.start()
    copy: LockfileCopy | None = None
    try:
        if settings.copy_lockfile:
            uri = state_uri(settings.bucket, project.config.stack, LOCKFILE_COPY)
            copy = LockfileCopy.read(lock.storage, uri, project.lockfile_path)
        yield
    except BaseException:
        try:
            for problem in _finish(lock, heartbeat, copy):
                log.warning("%s", problem)
        except BaseException as error:  # the block's own error is the one raised
            log.warning("the shared lock %s was not released: %s", lock.uri, error)
        raise
    problems = _finish(lock, heartbeat, copy)
    if problems:
        raise problems[0]


@contextlib.contextmanager
def locked_session(
    project: Project,
    operation: str,
    lock_timeout: float,
    *,
    parallelism: int = 8,
    shared: bool = True,
) -> Iterator[RemoteSession]:
    """The checkout lock, a remote session, then (with `state:` and `shared`) the shared
    lock: what every command that writes the lockfile runs under."""
    with (
        apply_lock(project.root / STATE_DIR),
        RemoteSession(project, parallelism=parallelism) as session,
    ):
        if not shared:
            yield session
            return
        with shared_state(project, session, operation=operation, lock_timeout=lock_timeout):
            yield session


def force_unlock(project: Project, session: RemoteSession, lock_id: str) -> FoundLock:
    """Removes the stack's shared lock if `lock_id` names it; returns what it held."""
    lock = _state_lock(project, session)
    if lock is None:
        raise ConfigError(
            "there is no shared lock to remove: tuneops.yaml has no `state: {bucket: gs://...}`, "
            "and the checkout lock in .tuneops/ ends with the process that holds it"
        )
    return lock.force_unlock(lock_id)
