"""Two "machines" apply one stack at once: the shared lock in Cloud Storage serialises them.

Each machine is its own copy of the project directory, so each has its own
checkout lock in `.tuneops/` (which cannot see the other); both talk to one
emulator, whose Cloud Storage holds the shared lock. Before the shared lock,
both listed no jobs and both created all three (issue 20: 9 jobs for 6 specs).
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.commands.project import Project, use_credentials, vertex_spec
from tests.helpers import Run, tuneops
from tuneops.backends.construction import build_storage_client
from tuneops.backends.storage.client import GcsUri
from tuneops.emulator import EmulatorHandle

SPECS = ("alpha", "beta", "gamma")
STATE = {"bucket": "gs://acme-state/tuneops", "copyLockfile": True}


def _machines(tmp_path: Path, emulator: EmulatorHandle) -> tuple[Project, Project]:
    machines = []
    for name in ("machine-a", "machine-b"):
        project = Project(tmp_path / name, emulator, stack="race")
        project.configure(stack="race", state=STATE)
        project.write(*(vertex_spec(spec) for spec in SPECS))
        machines.append(project)
    return machines[0], machines[1]


def _apply_at_once(machines: tuple[Project, ...], command: str) -> list[Run]:
    results: list[Run | None] = [None] * len(machines)
    start = threading.Barrier(len(machines))

    def run(index: int) -> None:
        start.wait()
        # --config, not -C: -C changes the process's directory, which threads share.
        config = machines[index].root / "tuneops.yaml"
        results[index] = tuneops(command.replace("tuneops ", f"tuneops --config {config} ", 1))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(machines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


@pytest.mark.parametrize("attempt", range(20))
def test_two_machines_applying_at_once_create_each_job_once(
    attempt: int, tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    machines = _machines(tmp_path, emulator)
    # Listings slowed a little, so that without a shared lock both machines
    # would list before either creates (the race of issue 20, every time).
    emulator.add_fault(kind="latency", method="GET", path="/tuningJobs$", latencyMs=50, count=2)

    runs = _apply_at_once(machines, "tuneops apply --auto-approve --lock-timeout 30s")

    assert [r.code for r in runs] == [0, 0], [r.err for r in runs]
    # One machine created; the other, once it had the lock, listed and found the jobs.
    assert machines[0].creates() == len(SPECS)
    jobs = [j for j in machines[0].remote() if j["labels"].get("tuneops-stack") == "race"]
    per_spec = Counter(j["labels"]["tuneops-name"] for j in jobs)
    assert per_spec == {name: 1 for name in SPECS}, per_spec
    # Nothing lost: each machine's lockfile records the one job of every spec.
    names = {j["name"] for j in jobs}
    for machine in machines:
        lock = machine.lock()
        assert sorted(lock) == list(SPECS)
        assert {e["pending"]["job"] for e in lock.values()} == names
    # The copy in the bucket is the lockfile of the machine that wrote last, complete too.
    copy = yaml.safe_load(_read(emulator, "gs://acme-state/tuneops/race/tuneops.lock"))
    assert {e["pending"]["job"] for e in copy["specs"].values()} == names


def _read(emulator: EmulatorHandle, uri: str) -> bytes:
    storage = build_storage_client(None, {"STORAGE_EMULATOR_HOST": emulator.url})
    found = storage.metadata(GcsUri.parse(uri))
    assert found is not None
    return storage.read_media(found, lambda stream: stream.read())
