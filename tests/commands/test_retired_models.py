"""When Google retires a model the catalogue still lists: what a user sees, end to end
against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.commands.project import Project, use_credentials, vertex_spec
from tests.commands.test_json_output import document
from tuneops.emulator import EmulatorHandle

MESSAGE = (
    "Base model gemini-3.5-flash was retired on 2025-01-01; the tuning job stopped before "
    "it finished."
)


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def test_a_model_retired_while_a_revision_runs_fails_it_cleanly_and_keeps_the_active_one(
    project: Project,
) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    project.emulator.advance(60)
    assert project.run("tuneops apply --auto-approve").code == 0  # promotes it
    active = project.lock()["bot"]["active"]
    project.write(vertex_spec("bot", epochs=4))
    assert project.run("tuneops apply --auto-approve").code == 0
    project.emulator.advance(5)  # the new revision runs

    project.emulator.retire("gemini-3.5-flash")

    run = project.run("tuneops status --format json")
    row = {r["name"]: r for r in document("status", run.out)["specs"]}["bot"]
    assert (row["pendingState"], row["error"], row["errorCode"]) == ("failed", MESSAGE, 9)
    assert f"  error: {MESSAGE} (code 9)" in project.run("tuneops status").out.splitlines()
    # Nothing is lost: the active revision still serves, in the lockfile and remotely.
    assert project.run("tuneops apply --auto-approve").code == 0
    assert project.lock()["bot"]["active"] == active
    again = project.run("tuneops apply --auto-approve --retry-failed")
    assert again.code == 1
    assert (
        "400 INVALID_ARGUMENT: Base model gemini-3.5-flash was retired on 2025-01-01 and can "
        "no longer be tuned." in again.out + again.err
    )
    assert project.lock()["bot"]["active"] == active
    endpoints = [job.get("tunedModel", {}).get("endpoint") for job in project.remote()]
    assert active["endpoint"] in endpoints
