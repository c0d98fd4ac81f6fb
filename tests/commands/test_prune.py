"""`prune: true`: removing the spec of a finished Gemini model deletes the model, guarded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from tests.commands.project import API_KEY, Project, gemini_spec, use_credentials
from tests.commands.test_json_output import document
from tuneops.emulator import EmulatorHandle

JOB_SECONDS = 60


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def _models(project: Project) -> list[str]:
    url = f"{project.emulator.url}/v1beta/tunedModels"
    answer = requests.get(url, headers={"x-goog-api-key": API_KEY}, timeout=10)
    answer.raise_for_status()
    return sorted(m["name"] for m in answer.json().get("tunedModels", []))


def _finished(project: Project, *specs: dict[str, Any]) -> list[str]:
    project.write(*specs)
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(JOB_SECONDS)
    project.run("tuneops apply --auto-approve")
    return _models(project)


def _prune(project: Project, **guards: int) -> None:
    project.configure(
        prune=True,
        gemini={"endpoint": project.emulator.url},
        guards={"maxCancel": 5, **guards},
    )


def test_without_prune_a_removed_spec_keeps_its_model(project: Project) -> None:
    models = _finished(project, gemini_spec("numbers"))
    project.remove("numbers")
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0
    assert "delete" not in run.out
    assert _models(project) == models
    assert "numbers" not in project.lock()


@pytest.mark.gemini_tuning_available
def test_prune_deletes_the_model_of_a_removed_spec(project: Project) -> None:
    models = _finished(project, gemini_spec("numbers"), gemini_spec("kept"))
    (model,) = [m for m in models if m.startswith("tunedModels/numbers-")]
    _prune(project)
    project.remove("numbers")

    plan = project.run("tuneops plan --detailed-exitcode")
    assert plan.code == 2
    assert "  - delete   numbers  spec removed and its job succeeded; prune: true" in plan.out
    assert "Plan: 1 to forget, 1 to delete." in plan.out

    planned = document("plan", project.run("tuneops plan --format json").out)
    assert [(a["action"], a.get("job")) for a in planned["actions"]] == [
        ("forget", None),
        ("delete", model),
    ]
    assert planned["options"]["prune"] is True

    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    assert [m for m in models if m.startswith("tunedModels/kept-")] == _models(project)
    assert len(models) == 2
    assert "numbers" not in project.lock()
    assert project.run("tuneops plan --detailed-exitcode").code == 0


@pytest.mark.gemini_tuning_available
def test_prune_never_deletes_a_protected_model(project: Project) -> None:
    models = _finished(project, gemini_spec("numbers", protect=True))
    _prune(project)
    project.remove("numbers")
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0
    assert "are protected (protect: true), so prune keeps them" in run.out + run.err
    assert _models(project) == models


@pytest.mark.gemini_tuning_available
def test_prune_deletes_count_against_max_cancel(project: Project) -> None:
    models = _finished(project, gemini_spec("one"), gemini_spec("two"), gemini_spec("kept"))
    _prune(project, maxCancel=1)
    project.remove("one")
    project.remove("two")
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 3
    assert "2 cancels exceed guards.maxCancel (1); pass --max-cancel 2 to allow them" in run.out
    assert _models(project) == models
