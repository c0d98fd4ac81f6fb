"""A lockfile rebuilt from the remote labels equals the one apply wrote.

Random histories of applies, spec edits, out-of-band cancels, failures and
successes run against the emulator through the CLI. After each step both
checkouts run `reconcile --write-lock`: one keeps the lockfile apply wrote,
the other lost it. Both must then record the same jobs in the same slots.
What a listing cannot give back is left out of the comparison: the spec
snapshot of a revision and the hash digits beyond the 16 that labels carry.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.commands.project import (
    API_KEY,
    TOKEN,
    Project,
    gemini_spec,
    use_credentials,
    vertex_spec,
)
from tuneops.emulator import EmulatorHandle

NAMES = ("alpha", "beta", "gamma")
GEMINI = "gamma"  # a Gemini API model: it fails but cannot be cancelled
STEPS = 10
# Seed 22 once found a revert to the serving revision that left a stale pending one.
# TUNEOPS_REBUILD_HISTORIES=200 runs that many histories instead, for a deeper search.
SEEDS = tuple(range(int(os.environ.get("TUNEOPS_REBUILD_HISTORIES", 0)))) or (*range(7), 22)
JOB_SECONDS = 40


def _essence(lock: dict[str, Any]) -> dict[str, Any]:
    """What the lockfile says that a listing can say too."""

    def revision(data: dict[str, Any] | None) -> tuple[Any, ...] | None:
        if data is None:
            return None
        fields = ("job", "state", "model", "endpoint")
        return (*(data.get(key) for key in fields), data["specHash"][:16])

    return {
        name: {
            "specHash": entry["specHash"],
            "protect": entry["protect"],
            "active": revision(entry.get("active")),
            "pending": revision(entry.get("pending")),
        }
        for name, entry in lock.items()
    }


def _spec(name: str, epochs: int) -> dict[str, Any]:
    return gemini_spec(name, epochs=epochs) if name == GEMINI else vertex_spec(name, epochs=epochs)


class History:
    """One project, its specs' epochs, and the random steps taken on it."""

    def __init__(self, root: Path, emulator: EmulatorHandle, rng: random.Random) -> None:
        self.project = Project(root / "kept", emulator)
        self.emulator = emulator
        self.rng = rng
        self.epochs = dict.fromkeys(NAMES, 1)
        self.steps: list[str] = []
        self.unapplied = False

    def _live_jobs(self) -> list[str]:
        live = ("JOB_STATE_PENDING", "JOB_STATE_QUEUED", "JOB_STATE_RUNNING", "CREATING")
        url = f"{self.emulator.url}/v1beta/tunedModels"
        models = requests.get(url, headers={"x-goog-api-key": API_KEY}, timeout=10).json()
        jobs = self.project.remote() + models.get("tunedModels", [])
        return [job["name"] for job in jobs if job["state"] in live]

    def step(self) -> None:
        choice = self.rng.choice(["apply", "edit", "cancel", "fail", "advance", "revert"])
        live = self._live_jobs()
        if choice == "edit" or choice == "revert":
            name = self.rng.choice(NAMES)
            self.epochs[name] = (
                self.epochs[name] + 1 if choice == "edit" else max(1, self.epochs[name] - 1)
            )
            self.project.write(_spec(name, self.epochs[name]))
            self.unapplied = True
        elif choice in ("cancel", "fail") and live:
            job = self.rng.choice(live)
            if choice == "cancel" and job.startswith("tunedModels/"):
                choice = "fail"  # the Gemini API has no cancel
            if choice == "cancel":
                url = f"{self.emulator.url}/v1/{job}:cancel"
                headers = {"Authorization": f"Bearer {TOKEN}"}
                requests.post(url, headers=headers, timeout=10).raise_for_status()
            else:
                self.emulator.force(job, "fail")
        elif choice == "advance":
            self.emulator.advance(self.rng.choice([5, JOB_SECONDS]))
        else:
            choice = "apply"
            run = self.project.run("tuneops apply --auto-approve --retry-failed")
            assert run.code == 0, run.err
            self.unapplied = False
        self.steps.append(choice)


@pytest.mark.gemini_tuning_available
@pytest.mark.parametrize("seed", SEEDS)
def test_rebuilt_lockfile_equals_the_one_apply_wrote(
    seed: int, tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    history = History(tmp_path, emulator, random.Random(seed))
    for name in NAMES:
        history.project.write(_spec(name, 1))
    assert history.project.run("tuneops apply --auto-approve").code == 0
    for _ in range(STEPS):
        history.step()
        if history.unapplied:
            continue  # a spec edit not yet applied is a change, not something to record
        kept = history.project.run("tuneops reconcile --write-lock")
        assert kept.code == 0, kept.err
        lost = Project(tmp_path / f"lost-{len(history.steps)}", emulator)
        shutil.rmtree(lost.root / "specs")
        shutil.copytree(history.project.root / "specs", lost.root / "specs")
        rebuilt = lost.run("tuneops reconcile --write-lock")
        assert rebuilt.code == 0, rebuilt.err
        assert _essence(lost.lock()) == _essence(history.project.lock()), history.steps


def test_rebuild_keeps_the_endpoint_of_a_succeeded_revision(
    tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    project = Project(tmp_path, emulator)
    project.write(vertex_spec("alpha", epochs=1))
    project.run("tuneops apply --auto-approve")
    emulator.advance(JOB_SECONDS)
    project.run("tuneops apply --auto-approve")
    served = project.lock()["alpha"]["active"]
    project.write(vertex_spec("alpha", epochs=2))
    project.run("tuneops apply --auto-approve")
    newer = project.lock()["alpha"]["pending"]["job"]
    url = f"{emulator.url}/v1/{newer}:cancel"
    requests.post(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).raise_for_status()
    emulator.advance(5)
    (project.root / "tuneops.lock").unlink()

    run = project.run("tuneops reconcile --write-lock")

    assert run.code == 0, run.err
    alpha = project.lock()["alpha"]
    assert (alpha["active"]["job"], alpha["active"]["endpoint"]) == (
        served["job"],
        served["endpoint"],
    )
    assert alpha["active"]["state"] == "succeeded"
    assert (alpha["pending"]["job"], alpha["pending"]["state"]) == (newer, "cancelled")
