"""Preference jobs end to end: validate, plan, apply and the job's life on the
emulator, over HTTP (issue 19). Today's catalogue preference-tunes no model, so
the project says so in tuneops.yaml and the emulator is told the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.commands.project import Project, staging_project
from tuneops.emulator import EmulatorHandle

LINE = {
    "system_instruction": {"parts": [{"text": "You are Acme's support assistant."}]},
    "contents": [{"role": "user", "parts": [{"text": "My parcel is late."}]}],
    "completions": [
        {"score": 1, "completion": {"role": "model", "parts": [{"text": "Sorry! Its number?"}]}},
        {"score": 0, "completion": {"role": "model", "parts": [{"text": "Wait."}]}},
    ],
}
PREFERENCE_35 = {
    "models": [
        {
            "id": "gemini-3.5-flash",
            "backends": {"vertex": {"tuning": {"methods": ["supervised", "preference"]}}},
        }
    ]
}


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    made = staging_project(tmp_path, emulator, monkeypatch)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "prefs.jsonl").write_text(json.dumps(LINE) + "\n", encoding="utf-8")
    return made


def _spec(**data: Any) -> dict[str, Any]:
    return {
        "apiVersion": "tuneops.dev/v1",
        "kind": "TuningJob",
        "metadata": {"name": "tone"},
        "spec": {
            "method": "preference",
            "baseModel": "gemini-3.5-flash",
            "hyperParameters": {"epochCount": 2, "beta": 0.1},
            **data,
        },
    }


def test_validate_refuses_preference_until_the_catalogue_says_otherwise(
    project: Project,
) -> None:
    project.write(_spec(trainingData={"file": "../data/prefs.jsonl"}))
    refused = project.run("tuneops validate")
    assert refused.code == 1
    assert (
        "specs/tone.yaml:10:11: error: $.spec.method: gemini-3.5-flash cannot be "
        "preference-tuned on Vertex AI"
    ) in refused.out
    project.configure(vertex=project.vertex, catalogue=PREFERENCE_35)
    assert project.run("tuneops validate").code == 0


def test_a_local_preference_dataset_is_staged_tuned_and_promoted(project: Project) -> None:
    project.configure(vertex=project.vertex, catalogue=PREFERENCE_35)
    project.emulator.offer("gemini-3.5-flash", "preference")
    project.write(_spec(trainingData={"file": "../data/prefs.jsonl"}))
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.out + run.err
    job = project.lock()["tone"]["pending"]["job"]
    (remote,) = project.remote()
    spec = remote["preferenceOptimizationSpec"]
    assert spec["trainingDatasetUri"].startswith("gs://acme-staging/")
    assert spec["hyperParameters"] == {"epochCount": "2", "beta": 0.1}
    project.emulator.advance(60)
    assert project.run("tuneops apply --auto-approve").code == 0
    active = project.lock()["tone"]["active"]
    assert active["job"] == job
    assert [c["id"] for c in active["checkpoints"]] == ["1", "2"]
    stats = project.remote()[0]["tuningDataStats"]
    assert stats["preferenceOptimizationDataStats"]["tuningDatasetExampleCount"] == "1"


BAD = {"contents": LINE["contents"], "completions": [LINE["completions"][0]]}  # type: ignore[index]


def test_a_bad_preference_line_in_cloud_storage_is_caught_before_create(
    project: Project,
) -> None:
    project.configure(vertex=project.vertex, catalogue=PREFERENCE_35)
    project.emulator.offer("gemini-3.5-flash", "preference")
    project.put_object("gs://acme/prefs.jsonl", json.dumps(BAD).encode() + b"\n")
    project.write(_spec(trainingDataset="gs://acme/prefs.jsonl"))
    project.emulator.clear_request_counts()
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 1
    assert "gs://acme/prefs.jsonl:1:1: error: $.completions: completions holds 1;" in run.err
    assert project.creates() == 0


def test_a_bad_preference_line_the_check_skips_fails_the_job_on_the_service(
    project: Project,
) -> None:
    project.configure(vertex=project.vertex, catalogue=PREFERENCE_35)
    project.emulator.offer("gemini-3.5-flash", "preference")
    project.put_object("gs://acme/prefs.jsonl", json.dumps(BAD).encode() + b"\n")
    # ignoreChanges: the object is not pinned, so tuneops does not read it.
    project.write(_spec(trainingDataset="gs://acme/prefs.jsonl", datasetPolicy="ignoreChanges"))
    assert project.run("tuneops apply --auto-approve").code == 0
    project.emulator.advance(60)
    status = json.loads(project.run("tuneops status --format json").out)
    (row,) = status["specs"]
    assert row["error"] == (
        "Invalid training dataset gs://acme/prefs.jsonl: line 1: 'completions' must hold "
        "exactly two completions."
    )
    assert row["errorCode"] == 3
