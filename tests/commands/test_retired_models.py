"""When Google retires a model the catalogue still lists, and when the Gemini API tunes
nothing: what a user sees, end to end against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.commands.project import Project, gemini_spec, use_credentials, vertex_spec
from tests.commands.test_json_output import document
from tests.helpers import tuneops
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


def _embedded(root: Path) -> None:
    config = {
        "stack": "e2e",
        "vertex": {"endpoint": "embedded"},
        "gemini": {"endpoint": "embedded"},
    }
    (root / "tuneops.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (root / "specs").mkdir()
    spec = gemini_spec("numbers")
    (root / "specs" / "numbers.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")


@pytest.mark.parametrize("setting", [None, "unavailable", "available", "sometimes"])
def test_the_embedded_emulator_tunes_on_the_gemini_api_only_when_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str | None
) -> None:
    for name in ("TUNEOPS_ACCESS_TOKEN", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("TUNEOPS_VERTEX_ENDPOINT", "TUNEOPS_GEMINI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    if setting is None:
        monkeypatch.delenv("TUNEOPS_EMBEDDED_GEMINI_TUNING", raising=False)
    else:
        monkeypatch.setenv("TUNEOPS_EMBEDDED_GEMINI_TUNING", setting)
    _embedded(tmp_path)

    run = tuneops(f"tuneops -C {tmp_path} apply --auto-approve --format json")

    if setting == "available":
        assert run.code == 0, run.err
        return
    assert run.code == 1
    if setting == "sometimes":
        assert run.err.splitlines()[-1] == (
            "error: TUNEOPS_EMBEDDED_GEMINI_TUNING must be unavailable or available, "
            "not 'sometimes'"
        )
        return
    [outcome] = json.loads(run.out)["outcomes"]
    assert not outcome["ok"]
    assert outcome["detail"].split(": ", 1)[1] == (
        "404 NOT_FOUND: models/gemini-1.5-flash-001-tuning is not found for API version "
        "v1beta, or is not supported for createTunedModel. Call ListModels to see the list "
        "of available models and their supported methods."
    )
