"""The stack's lock shared across machines: one object in Cloud Storage.

Taking the lock is creating `{bucket}/{stack}/lock.json` with `ifGenerationMatch=0`:
Cloud Storage lets exactly one of any number of racing creates succeed, and the
others get 412. The object holds a `LockRecord` (who, what, since, lease). The
holder renews the lease every third of it (`Heartbeat`); a lock whose lease ran
out is taken over by replacing exactly the generation that was read, so two
machines taking over one stale lock cannot both win. Releasing deletes exactly
the generation this run wrote. docs/shared-state.md explains the rules.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from tuneops.backends.storage.client import GcsUri, ObjectMetadata, StorageClient
from tuneops.backends.transport.errors import ClientError, NotFoundError, RemoteError
from tuneops.errors import StateConflictError, StateLockedError
from tuneops.runtime.lock_record import MAX_RECORD_BYTES, LockRecord

log = logging.getLogger("tuneops.runtime")

LOCK_OBJECT = "lock.json"
# The first polls come quickly (a reconcile cycle is over in a second or two),
# later ones every few seconds: a minute of waiting is about 30 reads.
FIRST_POLL_SECONDS = 0.02
LAST_POLL_SECONDS = 4.0


def state_uri(bucket: str, stack: str, name: str) -> GcsUri:
    """`{bucket}/{stack}/{name}` for `state.bucket` = `gs://bucket[/prefix]`."""
    base = bucket.removeprefix("gs://").rstrip("/")
    name_of_bucket, _, prefix = base.partition("/")
    return GcsUri(name_of_bucket, "/".join(p for p in (prefix, stack, name) if p))


@dataclass(frozen=True, slots=True)
class HeldLock:
    """A lock this run holds: its record and the generation that carries it."""

    record: LockRecord
    found: ObjectMetadata


@dataclass(frozen=True, slots=True)
class FoundLock:
    """The lock object as read: a record (None when it is not a tuneops record) and its
    generation."""

    record: LockRecord | None
    found: ObjectMetadata

    @property
    def lock_id(self) -> str:
        """The record's id; an unreadable object is named by its generation instead."""
        return self.record.lock_id if self.record else f"generation-{self.found.generation}"

    def summary(self) -> str:
        """Who holds it, as `key: value` pairs (only the ID for an unreadable object)."""
        return self.record.summary() if self.record else f"ID: {self.lock_id}"


def _now(wall: Callable[[], float]) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(wall()), tz=dt.timezone.utc)


class SharedLock:
    """Takes, renews, releases and force-removes one stack's lock object."""

    def __init__(
        self,
        storage: StorageClient,
        uri: GcsUri,
        *,
        lease_seconds: float,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.storage = storage
        self.uri = uri
        self.lease_seconds = lease_seconds
        self._wall = wall
        self._monotonic = monotonic
        self._sleep = sleep

    def read(self) -> FoundLock | None:
        """The lock object now, or None when nobody holds the lock."""
        found = self.storage.metadata(self.uri)
        if found is None:
            return None
        if found.size > MAX_RECORD_BYTES:
            return FoundLock(None, found)
        try:
            raw = self.storage.read_media(found, lambda stream: stream.read())
        except NotFoundError:
            return None  # released between the two reads
        try:
            return FoundLock(LockRecord.parse(raw), found)
        except (ValueError, UnicodeDecodeError):
            return FoundLock(None, found)

    def _write(self, record: LockRecord, replacing: int | None) -> ObjectMetadata | None:
        data = record.to_bytes()
        return self.storage.upload(
            data, self.uri, "application/json", size=len(data), replacing=replacing
        )

    def acquire(
        self,
        stack: str,
        operation: str,
        *,
        timeout: float,
    ) -> HeldLock:
        """Takes the lock, waiting up to `timeout` seconds for its holder to release it.

        Whom it waits for (once), and any expired lock taken over, are logged as
        warnings. Past the timeout: `StateLockedError` naming the holder.
        """
        record = LockRecord.new(stack, operation, _now(self._wall), self.lease_seconds)
        deadline = self._monotonic() + timeout
        pause = FIRST_POLL_SECONDS
        told = False
        while True:
            written = self._write(record, None)
            if written is not None:
                return HeldLock(record, written)
            current = self.read()
            if current is None:
                if self._monotonic() > deadline + LAST_POLL_SECONDS:
                    # Refused creates, yet nothing to read: a server to stop trusting.
                    raise StateLockedError(
                        f"the shared lock {self.uri} could not be created, yet there is no "
                        "lock object to read; check the bucket and try again"
                    )
                continue  # released meanwhile: try again at once
            if current.record is not None and current.record.lock_id == record.lock_id:
                return HeldLock(record, current.found)  # our create's answer was lost
            if current.record is not None and current.record.expired(_now(self._wall)):
                fresh = LockRecord.new(stack, operation, _now(self._wall), self.lease_seconds)
                taken = self._write(fresh, current.found.generation)
                if taken is not None:
                    log.warning(
                        "took over the expired shared lock %s (%s)", self.uri, current.summary()
                    )
                    return HeldLock(fresh, taken)
                continue  # another machine took it over first
            left = deadline - self._monotonic()
            if left <= 0:
                raise StateLockedError(
                    f"the shared lock {self.uri} is held ({current.summary()}); gave up after "
                    f"--lock-timeout {timeout:g}s. Try again later or with a longer "
                    f"--lock-timeout; if that run is gone, `tuneops force-unlock "
                    f"{current.lock_id}` removes the lock"
                )
            if not told:
                log.warning(
                    "waiting up to %gs for the shared lock %s, held (%s)",
                    timeout,
                    self.uri,
                    current.summary(),
                )
                told = True
            self._sleep(min(pause, left))
            pause = min(pause * 1.5, LAST_POLL_SECONDS)

    def renew(self, held: HeldLock) -> HeldLock:
        """The lock with a fresh lease; `StateConflictError` when it is no longer ours."""
        record = held.record.renewed(_now(self._wall), self.lease_seconds)
        written = self._write(record, held.found.generation)
        if written is None:
            self._raise_lost(held)
        return HeldLock(record, written)

    def release(self, held: HeldLock) -> None:
        """Deletes exactly the generation this run wrote; `StateConflictError` when the
        lock was taken over or removed meanwhile (then nothing is deleted)."""
        try:
            self.storage.delete(held.found)
        except NotFoundError:
            self._raise_lost(held)
        except ClientError as error:
            if error.http_status == 412:
                self._raise_lost(held)
            raise

    def _raise_lost(self, held: HeldLock) -> NoReturn:
        raise StateConflictError(
            f"the shared lock {self.uri} (ID: {held.record.lock_id}) was removed or taken "
            "over while this run held it (`tuneops force-unlock`, or a lease that ran out); "
            "another machine may have applied meanwhile: run `tuneops plan` to see where "
            "the stack stands"
        )

    def force_unlock(self, lock_id: str) -> FoundLock:
        """Removes the lock if `lock_id` names it; returns what it held."""
        current = self.read()
        if current is None:
            raise StateConflictError(f"the shared lock {self.uri} is not held; nothing to unlock")
        if current.lock_id != lock_id:
            raise StateConflictError(
                f"the shared lock {self.uri} has the lock id {current.lock_id}, not "
                f"{lock_id}; nothing was removed ({current.summary()})"
            )
        try:
            self.storage.delete(current.found)
        except NotFoundError:
            raise StateConflictError(
                f"the shared lock {self.uri} was released meanwhile; nothing to unlock"
            ) from None
        except ClientError as error:
            if error.http_status == 412:
                raise StateConflictError(
                    f"the shared lock {self.uri} changed while it was being removed "
                    "(renewed or taken over); nothing was removed"
                ) from None
            raise
        return current


class Heartbeat:
    """Renews a held lock every third of its lease, on a thread of its own, until stopped.

    A renewal refused (the lock was taken) ends the heartbeat and is kept in
    `lost`, which the owner raises when it releases.
    """

    def __init__(self, lock: SharedLock, held: HeldLock) -> None:
        self._lock = lock
        self.held = held
        self.lost: StateConflictError | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tuneops-lock-lease", daemon=True)

    def start(self) -> None:
        """Starts renewing."""
        self._thread.start()

    def stop(self) -> None:
        """Stops renewing (a renewal in flight finishes first); idempotent."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._lock.lease_seconds / 3):
            try:
                self.held = self._lock.renew(self.held)
            except StateConflictError as error:
                self.lost = error
                return
            except RemoteError:
                continue  # the transport retried already; the next beat tries again
