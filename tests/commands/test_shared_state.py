"""`state:` in tuneops.yaml through the CLI: the shared lock, its timeout, force-unlock,
and the lockfile copy, against the emulator's Cloud Storage."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.commands.project import Project, use_credentials, vertex_spec
from tuneops.backends.construction import build_storage_client
from tuneops.backends.storage.client import GcsUri
from tuneops.emulator import EmulatorHandle
from tuneops.runtime.state_lock import HeldLock, SharedLock

LOCK = GcsUri("acme-state", "tuneops/e2e/lock.json")
COPY = GcsUri("acme-state", "tuneops/e2e/tuneops.lock")


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    project = Project(tmp_path, emulator)
    project.configure(state={"bucket": "gs://acme-state/tuneops", "copyLockfile": True})
    return project


def _lock(emulator: EmulatorHandle) -> SharedLock:
    storage = build_storage_client(None, {"STORAGE_EMULATOR_HOST": emulator.url})
    return SharedLock(storage, LOCK, lease_seconds=300)


def _held_elsewhere(emulator: EmulatorHandle) -> HeldLock:
    """The lock, as another machine running `tuneops apply` holds it."""
    return _lock(emulator).acquire("e2e", "apply", timeout=0)


def test_apply_holds_the_lock_and_leaves_a_copy_of_the_lockfile(
    project: Project, emulator: EmulatorHandle
) -> None:
    project.write(vertex_spec("bot"))
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    assert _lock(emulator).read() is None  # released
    storage = _lock(emulator).storage
    found = storage.metadata(COPY)
    assert found is not None
    copy = storage.read_media(found, lambda stream: stream.read())
    assert copy == (project.root / "tuneops.lock").read_bytes()
    assert sorted(yaml.safe_load(copy)["specs"]) == ["bot"]
    # Nothing changed: the copy is not written again.
    assert project.run("tuneops apply --auto-approve").code == 0
    again = storage.metadata(COPY)
    assert again is not None and again.generation == found.generation


def test_past_the_lock_timeout_apply_fails_naming_the_holder_and_creates_nothing(
    project: Project, emulator: EmulatorHandle
) -> None:
    held = _held_elsewhere(emulator)
    project.write(vertex_spec("bot"))
    run = project.run("tuneops apply --auto-approve --lock-timeout 0s")
    record = held.record
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: the shared lock gs://acme-state/tuneops/e2e/lock.json is held (ID: "
        f"{record.lock_id}, Operation: apply, Who: {record.who}, PID: {record.pid}, "
        f"Version: {record.version}, Created: {record.created:%Y-%m-%dT%H:%M:%SZ}, "
        f"Expires: {record.lease_expires:%Y-%m-%dT%H:%M:%SZ}); gave up after "
        "--lock-timeout 0s. Try again later or with a longer --lock-timeout; if that run is "
        f"gone, `tuneops force-unlock {record.lock_id}` removes the lock\n"
    )
    assert project.creates() == 0
    assert not (project.root / "tuneops.lock").exists()


def test_reconcile_writing_the_lockfile_takes_the_lock_and_a_read_only_one_does_not(
    project: Project, emulator: EmulatorHandle
) -> None:
    _held_elsewhere(emulator)
    project.write(vertex_spec("bot"))
    assert project.run("tuneops reconcile").code == 0
    writing = project.run("tuneops reconcile --write-lock --lock-timeout 0s")
    assert writing.code == 1
    assert "Operation: apply," in writing.err and "force-unlock" in writing.err


def test_force_unlock_removes_a_lock_left_behind(
    project: Project, emulator: EmulatorHandle
) -> None:
    held = _held_elsewhere(emulator)
    wrong = project.run("tuneops force-unlock not-the-id --force")
    assert wrong.code == 1
    assert wrong.err.startswith(
        "error: the shared lock gs://acme-state/tuneops/e2e/lock.json has the lock id "
        f"{held.record.lock_id}, not not-the-id; nothing was removed"
    )
    asked = project.run(f"tuneops force-unlock {held.record.lock_id}")
    assert (asked.code, asked.err) == (
        1,
        "error: force-unlock needs --force when it cannot ask for confirmation\n",
    )
    assert _lock(emulator).read() is not None

    removed = project.run(f"tuneops force-unlock {held.record.lock_id} --force")
    assert removed.code == 0, removed.err
    assert removed.out == (
        f"Removed the shared lock gs://acme-state/tuneops/e2e/lock.json; it was "
        f"held ({held.record.summary()}).\n"
    )
    assert _lock(emulator).read() is None
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve --lock-timeout 0s").code == 0


def test_force_unlock_without_shared_state_says_there_is_nothing_to_remove(
    project: Project,
) -> None:
    project.configure()
    run = project.run("tuneops force-unlock 0f3c --force")
    assert (run.code, run.err) == (
        1,
        "error: there is no shared lock to remove: tuneops.yaml has no `state: {bucket: "
        "gs://...}`, and the checkout lock in .tuneops/ ends with the process that holds it\n",
    )


def test_a_run_whose_lock_was_removed_says_so_and_leaves_the_copy_alone(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """force-unlock while an apply runs: the apply ends with an error, writes no copy."""
    from tuneops.runtime import applier

    project.write(vertex_spec("bot"))
    real_run = applier.Applier.run

    def unlocked_meanwhile(self: applier.Applier, plan: object) -> object:
        found = _lock(emulator).read()
        assert found is not None
        _lock(emulator).force_unlock(found.lock_id)
        return real_run(self, plan)  # type: ignore[arg-type]

    monkeypatch.setattr(applier.Applier, "run", unlocked_meanwhile)
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 1
    assert "error: the shared lock gs://acme-state/tuneops/e2e/lock.json (ID: " in run.err
    assert "was removed or taken over while this run held it" in run.err
    assert project.lock()["bot"]["pending"]["job"]  # the local record is kept
    assert _lock(emulator).read() is None
    assert _lock(emulator).storage.metadata(COPY) is None  # a run that lost the lock writes none


@pytest.mark.parametrize(("answer", "code", "removed"), [("yes\n", 0, True), ("no\n", 1, False)])
def test_force_unlock_asks_first_on_a_terminal(
    project: Project,
    emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    removed: bool,
) -> None:
    import io

    from tuneops.commands.force_unlock import force_unlock
    from tuneops.console import Console

    held = _held_elsewhere(emulator)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    out, err = io.StringIO(), io.StringIO()
    result = force_unlock(
        project.root / "tuneops.yaml",
        held.record.lock_id,
        force=False,
        console=Console(out, err, color=False),
        interactive=True,
    )
    assert result == code
    assert err.getvalue().startswith(f"Remove the shared lock {held.record.lock_id}? ")
    assert (_lock(emulator).read() is None) is removed
    assert ("Nothing was removed." in err.getvalue()) is not removed
