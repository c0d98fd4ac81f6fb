"""Importing a foreign job: which service a resource name belongs to (by the one
pattern the backends check answers with), and what an import records."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.genai import types

from tests.commands.project import Project, use_credentials, vertex_spec
from tests.emulator.support import SDK_WARNINGS, vertex_client
from tuneops.emulator import EmulatorHandle
from tuneops.errors import UsageError
from tuneops.project.file import require_project
from tuneops.runtime.importing import backend_of, import_job
from tuneops.specs.kinds import BackendKind


@pytest.mark.parametrize(
    ("resource", "kind"),
    [
        ("projects/acme-ml/locations/us-central1/tuningJobs/123", BackendKind.VERTEX),
        ("projects/123456789012/locations/europe-west4/tuningJobs/abc", BackendKind.VERTEX),
        ("tunedModels/support-bot-1a2b3c4d", BackendKind.GEMINI),
    ],
)
def test_a_resource_name_says_its_service(resource: str, kind: BackendKind) -> None:
    assert backend_of(resource) is kind


@pytest.mark.parametrize(
    "resource",
    [
        "tuningJobs/123",
        "projects/acme/locations/us-central1/tuningJobs/123:cancel",
        "projects/acme/locations/us-central1/tuningJobs/123/extra",
        "tunedModels/Upper_Case",
        "models/gemini-2.5-flash",
    ],
)
def test_anything_else_is_a_usage_error_naming_both_shapes(resource: str) -> None:
    with pytest.raises(UsageError) as refused:
        backend_of(resource)
    assert str(refused.value) == (
        f"{resource!r} is neither a Vertex AI tuning job "
        "(projects/P/locations/L/tuningJobs/ID) nor a Gemini tuned model (tunedModels/ID)"
    )


@pytest.mark.filterwarnings(SDK_WARNINGS)
def test_a_differing_job_is_recorded_with_its_changes(
    tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    project = Project(tmp_path, emulator)
    client = vertex_client(emulator.url)  # made with Google's SDK, outside tuneops
    job = client.tunings.tune(
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri="gs://acme/bot.jsonl"),
        config=types.CreateTuningJobConfig(epoch_count=7),
    )
    assert job.name
    name = job.name
    emulator.force(name, "succeed")
    project.write(vertex_spec("bot", epochs=3))
    done = import_job(require_project(project.root / "tuneops.yaml"), "bot", name)
    assert (done.job, done.state, done.revision, done.backend) == (
        name,
        "succeeded",
        "active",
        BackendKind.VERTEX,
    )
    assert [(c.path, c.old, c.new) for c in done.changes] == [("hyperParameters.epochCount", 7, 3)]
    assert not done.labelled and not done.training_data_assumed
    assert project.lock()["bot"]["active"]["imported"] is True
