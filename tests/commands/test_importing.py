"""`tuneops import`: a job made with the google-genai SDK joins a spec."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.genai import types

from tests.commands.project import Project, gemini_spec, use_credentials, vertex_spec
from tests.emulator.support import SDK_WARNINGS, gemini_client, vertex_client
from tuneops.emulator import EmulatorHandle

pytestmark = pytest.mark.filterwarnings(SDK_WARNINGS)


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def _sdk_job(emulator: EmulatorHandle, dataset: str, epochs: int) -> str:
    client = vertex_client(emulator.url)  # keep a reference: the SDK closes on collection
    job = client.tunings.tune(
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri=dataset),
        config=types.CreateTuningJobConfig(epoch_count=epochs),
    )
    assert job.name
    emulator.force(job.name, "succeed")
    return job.name


def test_a_matching_sdk_job_becomes_the_specs_active_revision(project: Project) -> None:
    name = _sdk_job(project.emulator, "gs://acme/bot.jsonl", epochs=3)
    project.write(vertex_spec("bot", epochs=3))
    run = project.run(f"tuneops import bot {name}")
    assert run.code == 0, run.err
    assert run.out == f"imported {name} as the active revision of bot (succeeded)\n"
    active = project.lock()["bot"]["active"]
    assert (active["job"], active["imported"], active["state"]) == (name, True, "succeeded")
    plan = project.run("tuneops plan --detailed-exitcode")
    assert (plan.code, plan.out) == (0, "No changes. The remote jobs match the specs.\n")
    status = project.run("tuneops status").out.splitlines()[1].split()
    assert status[:5] == ["bot", "in", "sync", "healthy", "succeeded"]


def test_a_different_job_is_imported_and_explained_then_replaced(project: Project) -> None:
    name = _sdk_job(project.emulator, "gs://acme/bot.jsonl", epochs=7)
    project.write(vertex_spec("bot", epochs=3))
    run = project.run(f"tuneops import bot {name}")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        f"imported {name} as the active revision of bot, but it differs from the spec:",
        "  ~ hyperParameters.epochCount: 7 → 3",
        "the next `tuneops apply` replaces it; its endpoint serves until the new job succeeds",
    ]
    plan = project.run("tuneops plan")
    assert plan.out.splitlines()[:2] == [
        f"  ± replace  bot  spec changed ({name})",
        "        ~ hyperParameters.epochCount: 7 → 3",
    ]
    assert project.run("tuneops apply --auto-approve").code == 0
    lock = project.lock()["bot"]
    assert lock["active"]["job"] == name  # still serving until the replacement succeeds
    assert lock["pending"]["job"] != name


@pytest.mark.gemini_tuning_available
def test_a_gemini_model_made_with_the_sdk_can_be_imported(project: Project) -> None:
    client = gemini_client(project.emulator.url)
    examples = {
        "tuningTask": {
            "trainingData": {"examples": {"examples": [{"textInput": "I", "output": "II"}]}}
        }
    }
    job = client.tunings.tune(
        base_model="models/gemini-1.5-flash-001-tuning",
        training_dataset=types.TuningDataset(),
        config=types.CreateTuningJobConfig(
            epoch_count=2,
            batch_size=1,
            http_options=types.HttpOptions(extra_body=examples),
        ),
    )
    assert job.name
    project.write(gemini_spec("numbers", epochs=2))
    run = project.run(f"tuneops import numbers {job.name}")
    assert run.code == 0, run.err
    assert run.out == f"imported {job.name} as the pending revision of numbers (running)\n"
    assert run.err == "note: the Gemini API does not return training data; assumed to match\n"
    assert project.run("tuneops plan --detailed-exitcode").code == 0


def test_import_refuses_jobs_of_other_specs_and_unknown_names(project: Project) -> None:
    project.write(vertex_spec("bot"), vertex_spec("other"))
    project.run("tuneops apply --auto-approve")
    theirs = project.lock()["other"]["pending"]["job"]
    run = project.run(f"tuneops import bot {theirs}")
    assert run.code == 1
    assert run.err == (
        f"error: {theirs} already belongs to spec 'other' of stack 'e2e'; tuneops never "
        "takes a job over from another spec or stack\n"
    )
    missing = project.run(f"tuneops import nope {theirs}")
    assert missing.err == (
        "error: no spec named 'nope': write the spec first, then import under its name\n"
    )


def test_a_different_running_job_is_not_said_to_serve(project: Project) -> None:
    client = vertex_client(project.emulator.url)
    job = client.tunings.tune(
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri="gs://acme/bot.jsonl"),
        config=types.CreateTuningJobConfig(epoch_count=7),
    )
    project.emulator.advance(5)
    project.write(vertex_spec("bot", epochs=3))
    run = project.run(f"tuneops import bot {job.name}")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        f"imported {job.name} as the pending revision of bot, but it differs from the spec:",
        "  ~ hyperParameters.epochCount: 7 → 3",
        "the next `tuneops apply` replaces it; it is still running and has no endpoint to "
        "keep serving",
    ]
