"""The shared lock object and the lockfile copy, over real HTTP against the emulator's GCS."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends.support import FakeClock
from tuneops.backends.construction import build_storage_client
from tuneops.backends.storage.client import GcsUri, StorageClient
from tuneops.emulator import EmulatorHandle
from tuneops.errors import StateConflictError, StateLockedError
from tuneops.runtime.lock_record import LockRecord
from tuneops.runtime.shared_state import LockfileCopy
from tuneops.runtime.state_lock import Heartbeat, SharedLock, state_uri

URI = GcsUri("acme-state", "tuneops/race/lock.json")
START = dt.datetime(2026, 12, 6, 22, 0, tzinfo=dt.timezone.utc).timestamp()


class Wall:
    """A wall clock that moves only when told to, and whose sleeps move it."""

    def __init__(self) -> None:
        self.now = START
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def storage(emulator: EmulatorHandle) -> Iterator[StorageClient]:
    env = {"STORAGE_EMULATOR_HOST": emulator.url}
    client = build_storage_client(None, env, clock=FakeClock(), rng=random.Random(1))
    yield client
    client.close()


def _lock(storage: StorageClient, wall: Wall, lease: float = 300) -> SharedLock:
    return SharedLock(
        storage,
        URI,
        lease_seconds=lease,
        wall=wall,
        monotonic=lambda: wall.now,
        sleep=wall.sleep,
    )


def test_the_state_keys_sit_under_the_prefix_and_the_stack() -> None:
    assert state_uri("gs://acme-state/tuneops/", "race", "lock.json") == URI
    assert state_uri("gs://acme-state", "race", "tuneops.lock") == GcsUri(
        "acme-state", "race/tuneops.lock"
    )


def test_the_lock_object_holds_who_what_when_and_the_lease(storage: StorageClient) -> None:
    wall = Wall()
    held = _lock(storage, wall).acquire("race", "apply", timeout=0)
    found = _lock(storage, wall).read()
    assert found is not None and found.record == held.record
    assert found.found.generation == held.found.generation
    raw = storage.read_media(found.found, lambda stream: stream.read())
    data = json.loads(raw)
    assert sorted(data) == [
        "created",
        "leaseExpires",
        "lockId",
        "operation",
        "pid",
        "stack",
        "version",
        "who",
    ]
    assert (data["created"], data["leaseExpires"]) == (
        "2026-12-06T22:00:00Z",
        "2026-12-06T22:05:00Z",
    )
    assert (data["stack"], data["operation"], data["lockId"]) == (
        "race",
        "apply",
        held.record.lock_id,
    )
    assert "@" in data["who"] and data["version"].startswith("tuneops ")


def test_a_second_taker_waits_then_fails_naming_the_holder(
    storage: StorageClient, caplog: pytest.LogCaptureFixture
) -> None:
    wall = Wall()
    held = _lock(storage, wall).acquire("race", "apply", timeout=0)
    with pytest.raises(StateLockedError) as raised:
        _lock(storage, wall).acquire("race", "reconcile --apply", timeout=10)
    record = held.record
    holder = (
        f"ID: {record.lock_id}, Operation: apply, Who: {record.who}, PID: {record.pid}, "
        f"Version: {record.version}, Created: 2026-12-06T22:00:00Z, "
        "Expires: 2026-12-06T22:05:00Z"
    )
    assert record.summary() == holder
    assert str(raised.value) == (
        f"the shared lock gs://acme-state/tuneops/race/lock.json is held ({holder}); gave up "
        "after --lock-timeout 10s. Try again later or with a longer --lock-timeout; if that "
        f"run is gone, `tuneops force-unlock {record.lock_id}` removes the lock"
    )
    assert [r.getMessage() for r in caplog.records] == [
        f"waiting up to 10s for the shared lock gs://acme-state/tuneops/race/lock.json, "
        f"held ({holder})"
    ]
    # It polled, backing off, and never past the timeout.
    assert sum(wall.slept) == pytest.approx(10)
    assert wall.slept[:3] == pytest.approx([0.02, 0.03, 0.045])


def test_a_released_lock_is_taken_by_the_next(storage: StorageClient) -> None:
    wall = Wall()
    first = _lock(storage, wall)
    held = first.acquire("race", "apply", timeout=0)
    first.release(held)
    assert first.read() is None
    again = _lock(storage, wall).acquire("race", "apply", timeout=0)
    assert again.record.lock_id != held.record.lock_id


def test_an_expired_lock_is_taken_over_once(
    storage: StorageClient, caplog: pytest.LogCaptureFixture
) -> None:
    wall = Wall()
    stale = _lock(storage, wall, lease=60).acquire("race", "apply", timeout=0)
    wall.now += 61  # the holder stopped renewing: crashed, or cut off
    taken = _lock(storage, wall).acquire("race", "apply", timeout=0)
    assert taken.record.lock_id != stale.record.lock_id
    assert [r.getMessage() for r in caplog.records] == [
        "took over the expired shared lock gs://acme-state/tuneops/race/lock.json "
        f"({stale.record.summary()})"
    ]
    with pytest.raises(StateConflictError, match="was removed or taken over"):
        _lock(storage, wall).release(stale)  # the old holder cannot delete the new lock
    assert _lock(storage, wall).read() is not None


def test_renewal_moves_the_lease_and_a_lost_lock_cannot_be_renewed(storage: StorageClient) -> None:
    wall = Wall()
    lock = _lock(storage, wall, lease=60)
    held = lock.acquire("race", "apply", timeout=0)
    wall.now += 50
    renewed = lock.renew(held)
    assert renewed.record.lease_expires == held.record.lease_expires + dt.timedelta(seconds=50)
    wall.now += 50  # past the first lease, within the renewed one: still held
    with pytest.raises(StateLockedError):
        _lock(storage, wall).acquire("race", "apply", timeout=0)
    lock.force_unlock(renewed.record.lock_id)
    with pytest.raises(StateConflictError):
        lock.renew(renewed)


def test_the_heartbeat_renews_on_its_own_thread(storage: StorageClient) -> None:
    lock = SharedLock(storage, URI, lease_seconds=0.15)
    held = lock.acquire("race", "apply", timeout=0)
    beat = Heartbeat(lock, held)
    beat.start()
    deadline = time.monotonic() + 10
    while beat.held.found.generation == held.found.generation and time.monotonic() < deadline:
        time.sleep(0.02)
    beat.stop()
    assert beat.held.found.generation != held.found.generation and beat.lost is None
    lock.release(beat.held)
    assert lock.read() is None


def test_force_unlock_needs_the_lock_id(storage: StorageClient) -> None:
    wall = Wall()
    lock = _lock(storage, wall)
    held = lock.acquire("race", "apply", timeout=0)
    with pytest.raises(StateConflictError) as wrong:
        lock.force_unlock("not-the-id")
    assert str(wrong.value).startswith(
        f"the shared lock gs://acme-state/tuneops/race/lock.json has the lock id "
        f"{held.record.lock_id}, not not-the-id; nothing was removed"
    )
    removed = lock.force_unlock(held.record.lock_id)
    assert removed.record == held.record and lock.read() is None
    with pytest.raises(StateConflictError, match="is not held; nothing to unlock"):
        lock.force_unlock(held.record.lock_id)


def test_an_object_that_is_not_a_lock_record_still_locks(
    storage: StorageClient, emulator: EmulatorHandle
) -> None:
    generation = emulator.put_object(f"gs://{URI.bucket}/{URI.name}", b"not json")
    wall = Wall()
    with pytest.raises(StateLockedError, match=f"is held \\(ID: generation-{generation}\\)"):
        _lock(storage, wall).acquire("race", "apply", timeout=0)
    _lock(storage, wall).force_unlock(f"generation-{generation}")
    _lock(storage, wall).acquire("race", "apply", timeout=0)


def test_the_lockfile_copy_refuses_a_stale_writer(storage: StorageClient, tmp_path: Path) -> None:
    copy_uri = GcsUri("acme-state", "tuneops/race/tuneops.lock")
    local = tmp_path / "tuneops.lock"
    local.write_text("specs: {}\n", encoding="utf-8")
    mine = LockfileCopy.read(storage, copy_uri, local)
    assert mine.generation == 0
    # Another run writes the copy after this one read it (its lock had been taken over).
    other = LockfileCopy.read(storage, copy_uri, tmp_path / "other.lock")
    (tmp_path / "other.lock").write_text("specs: {other: {}}\n", encoding="utf-8")
    other.write()
    found = storage.metadata(copy_uri)
    assert found is not None
    with pytest.raises(StateConflictError) as raised:
        mine.write()
    assert str(raised.value) == (
        "the lockfile copy gs://acme-state/tuneops/race/tuneops.lock was written by another run "
        f"since this one took the lock (no copy then, generation {found.generation} now), so it "
        "was not overwritten and nothing was merged; the local lockfile tuneops.lock is intact. "
        "Run `tuneops plan` to see where the stack stands"
    )
    kept = storage.read_media(found, lambda stream: stream.read())
    assert kept == b"specs: {other: {}}\n"
    # A writer that read the current generation replaces it.
    LockfileCopy.read(storage, copy_uri, local).write()
    now = storage.metadata(copy_uri)
    assert now is not None and storage.read_media(now, lambda s: s.read()) == b"specs: {}\n"


def test_a_record_round_trips_and_garbage_is_refused() -> None:
    now = dt.datetime(2026, 12, 6, tzinfo=dt.timezone.utc)
    record = LockRecord.new("race", "apply", now, 300)
    assert LockRecord.parse(record.to_bytes()) == record
    for raw in (b"[]", b'{"lockId": 3}', b"\xff"):
        with pytest.raises((ValueError, UnicodeDecodeError)):
            LockRecord.parse(raw)


def test_a_lock_timeout_may_be_zero_and_other_durations_may_not() -> None:
    from tuneops.durations import parse_duration
    from tuneops.errors import UsageError

    assert parse_duration("0s", allow_zero=True) == 0.0
    for text, allow_zero in (("0s", False), ("-1", True), ("nan", True)):
        with pytest.raises(UsageError, match="must be positive"):
            parse_duration(text, allow_zero=allow_zero)


def test_refused_creates_with_nothing_to_read_end_instead_of_spinning(
    storage: StorageClient, emulator: EmulatorHandle
) -> None:
    """A server that answers 412 to every create yet has no lock object to show."""
    emulator.add_fault(kind="status", method="POST", path="/o$", status=412, count=1000)
    ticks = iter(range(0, 10_000))
    lock = SharedLock(
        storage, URI, lease_seconds=300, monotonic=lambda: float(next(ticks)), sleep=lambda s: None
    )
    with pytest.raises(StateLockedError, match="could not be created, yet there is no lock"):
        lock.acquire("race", "apply", timeout=0)
