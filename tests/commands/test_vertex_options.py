"""Vertex options real teams need: last checkpoint only, CMEK, a service account, and
continuing from a tuned model. Each goes from the spec to the service and back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.commands.project import Project, use_credentials, vertex_spec
from tuneops.emulator import EmulatorHandle

KEY = "projects/acme-ml/locations/us-central1/keyRings/tuning/cryptoKeys/jobs"
ACCOUNT = "tuner@acme-ml.iam.gserviceaccount.com"


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def _with(document: dict[str, Any], **fields: Any) -> dict[str, Any]:
    document["spec"].update(fields)
    return document


def test_the_options_reach_the_service_and_the_job_echoes_them(project: Project) -> None:
    options = {
        "exportLastCheckpointOnly": True,
        "encryptionSpec": {"kmsKeyName": KEY},
        "serviceAccount": ACCOUNT,
    }
    project.write(_with(vertex_spec("bot"), **options))
    assert project.run("tuneops apply --auto-approve").code == 0
    (job,) = project.remote()
    assert job["supervisedTuningSpec"]["exportLastCheckpointOnly"] is True
    assert job["encryptionSpec"] == {"kmsKeyName": KEY}
    assert job["serviceAccount"] == ACCOUNT
    assert project.run("tuneops plan --detailed-exitcode").code == 0


def test_a_job_continues_from_a_tuned_model(project: Project) -> None:
    project.write(vertex_spec("base"))
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(60)
    project.run("tuneops apply --auto-approve")
    model = project.lock()["base"]["active"]["model"]
    continued = vertex_spec("continued")
    del continued["spec"]["baseModel"]
    continued["spec"]["preTunedModel"] = {"tunedModelName": model, "checkpointId": "2"}
    project.write(continued)

    run = project.run("tuneops apply --auto-approve")

    assert run.code == 0, run.err
    job = next(j for j in project.remote() if j["labels"]["tuneops-name"] == "continued")
    assert job["preTunedModel"]["tunedModelName"] == model
    assert job["preTunedModel"]["checkpointId"] == "2"
    project.emulator.advance(60)
    project.run("tuneops apply --auto-approve")
    name, version = model.split("@")
    assert project.lock()["continued"]["active"]["model"] == f"{name}@{int(version) + 1}"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"preTunedModel": {"tunedModelName": "projects/p/locations/l/models/m"}},
            "$.spec: must set exactly one of baseModel and preTunedModel (continuous tuning "
            "starts from a tuned model instead of a base model)",
        ),
        (
            {"encryptionSpec": {"kmsKeyName": "my-key"}},
            "$.spec.encryptionSpec.kmsKeyName: 'my-key' is not a Cloud KMS key name "
            "projects/P/locations/L/keyRings/R/cryptoKeys/K",
        ),
        (
            {"serviceAccount": "tuner"},
            "$.spec.serviceAccount: 'tuner' is not a service account email such as "
            "tuner@acme-ml.iam.gserviceaccount.com",
        ),
    ],
)
def test_invalid_options_are_spec_errors_before_any_call(
    project: Project, fields: dict[str, Any], message: str
) -> None:
    project.write(_with(vertex_spec("bot"), **fields))
    run = project.run("tuneops plan")
    assert run.code == 1
    assert f"error: {message}" in run.err
    assert project.emulator.request_counts() == {}
