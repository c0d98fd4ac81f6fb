"""A Vertex spec with a local dataset, applied end to end against the emulator:
staged to the configured bucket under its content hash, then trained on."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import storage

from tests.commands.project import Project, local_vertex_spec, staging_project
from tuneops.backends.transport.clock import SystemClock
from tuneops.emulator import EmulatorHandle

EXAMPLE = {
    "contents": [
        {"role": "user", "parts": [{"text": "Where is my order?"}]},
        {"role": "model", "parts": [{"text": "It ships today."}]},
    ]
}
LINE = json.dumps(EXAMPLE) + "\n"
BUCKET = "acme-staging"


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    made = staging_project(tmp_path, emulator, monkeypatch, f"gs://{BUCKET}/tuning")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text(LINE * 3, encoding="utf-8")
    made.write(local_vertex_spec())
    return made


def objects(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every live object in the emulator, as gs:// URIs, read with Google's client."""
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    client = storage.Client(project="acme-ml")
    found = []
    for bucket in ("acme-staging", "acme", "other"):
        found += [f"gs://{bucket}/{b.name}" for b in client.list_blobs(bucket)]
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    return found


def test_apply_stages_the_file_once_and_the_job_trains_on_it(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    digest = hashlib.sha256((LINE * 3).encode()).hexdigest()
    staged = f"gs://{BUCKET}/tuning/e2e/{digest}.jsonl"
    assert objects(emulator, monkeypatch) == [staged]
    (job,) = project.remote()
    assert job["supervisedTuningSpec"]["trainingDatasetUri"] == staged

    # Google's own client reads back exactly what tuneops uploaded.
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    blob = storage.Client(project="acme-ml").bucket(BUCKET).blob(f"tuning/e2e/{digest}.jsonl")
    assert blob.download_as_bytes() == (LINE * 3).encode()
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")

    emulator.advance(3600)
    assert project.run("tuneops apply --auto-approve").code == 0
    (job,) = project.remote()
    stats = job["tuningDataStats"]["supervisedTuningDataStats"]
    assert (job["state"], stats["tuningDatasetExampleCount"]) == ("JOB_STATE_SUCCEEDED", "3")


def test_the_same_content_is_never_uploaded_twice(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    second = local_vertex_spec("bot-two")
    project.write(second)
    assert project.run("tuneops apply --auto-approve").code == 0
    uploads = {
        route: n
        for route, n in emulator.request_counts().items()
        if route.startswith("POST /upload")
    }
    assert uploads == {"POST /upload/storage/v1/b/{bucket}/o": 1}
    # A spec edit that keeps the data: a replace, but the object is already there.
    emulator.clear_request_counts()
    project.write(local_vertex_spec(epochs=3))
    assert project.run("tuneops apply --auto-approve").code == 0
    assert not any(r.startswith("POST /upload") for r in emulator.request_counts())
    assert len(objects(emulator, monkeypatch)) == 1


def test_editing_the_file_plans_a_replace_with_the_example_count_change(
    project: Project,
) -> None:
    assert project.run("tuneops apply --auto-approve").code == 0
    with (project.root / "data" / "train.jsonl").open("a", encoding="utf-8") as out:
        out.write(LINE)
    run = project.run("tuneops plan")
    assert run.code == 0, run.err
    assert "replace" in run.out
    assert "trainingData.exampleCount: 3 → 4" in run.out


def test_an_object_with_other_content_under_the_name_is_replaced_not_trained_on(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = hashlib.sha256((LINE * 3).encode()).hexdigest()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    bucket = storage.Client(project="acme-ml").bucket(BUCKET)
    bucket.blob(f"tuning/e2e/{digest}.jsonl").upload_from_string(b"tampered\n")
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    assert f"gs://{BUCKET}/tuning/e2e/{digest}.jsonl holds other content" in run.err
    assert "replacing that generation" in run.err
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    fresh = bucket.blob(f"tuning/e2e/{digest}.jsonl")  # the live generation
    assert fresh.download_as_bytes() == (LINE * 3).encode()
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    assert len(project.remote()) == 1


@pytest.mark.parametrize(
    "fault",
    [{"kind": "status", "status": 503}, {"kind": "drop"}],
    ids=["503", "connection dropped"],
)
def test_an_upload_that_fails_for_good_creates_no_job(
    project: Project,
    emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    fault: dict[str, Any],
) -> None:
    monkeypatch.setattr(SystemClock, "sleep", lambda self, seconds: None)
    emulator.add_fault(**fault, method="POST", path="/upload/", count=6)  # every attempt
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 1
    digest = hashlib.sha256((LINE * 3).encode()).hexdigest()
    assert f"gs://{BUCKET}/tuning/e2e/{digest}.jsonl: POST http://" in run.out + run.err
    assert project.remote() == []
    assert objects(emulator, monkeypatch) == []
    assert project.run("tuneops apply --auto-approve").code == 0
    assert len(project.remote()) == 1


def test_a_local_dataset_without_a_staging_bucket_is_a_validation_error(
    project: Project, emulator: EmulatorHandle
) -> None:
    project.configure(vertex={"endpoint": emulator.url})
    for command in ("tuneops validate", "tuneops plan"):
        run = project.run(command)
        assert run.code == 1
        expected = (
            "specs/bot.yaml:4:9: error: $.metadata.name: 'bot' uses a local dataset "
            "(data/train.jsonl); set vertex.stagingBucket in tuneops.yaml to say where "
            "it is uploaded\n"
        )
        assert expected in run.out + run.err
    assert emulator.request_counts() == {}
