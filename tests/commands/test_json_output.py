"""Every command's `--format json`: one document, valid against its published schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.commands.project import Project, use_credentials, vertex_spec
from tests.emulator.support import SDK_WARNINGS, vertex_client
from tuneops.emulator import EmulatorHandle
from tuneops.notes import NoteCode

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "output"
JOB_SECONDS = 40.0


def _registry() -> Registry:
    resources = [
        (s["$id"], Resource.from_contents(s))
        for s in (json.loads(p.read_text("utf-8")) for p in SCHEMAS.glob("*.schema.json"))
    ]
    return Registry().with_resources(resources)


def document(command: str, text: str) -> dict[str, Any]:
    """The one JSON document in `text`, checked against the command's schema."""
    data: dict[str, Any] = json.loads(text)
    schema = json.loads((SCHEMAS / f"{command}.schema.json").read_text("utf-8"))
    Draft202012Validator(schema, registry=_registry()).validate(data)
    assert data["formatVersion"] == 1
    return data


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def test_apply_prints_the_plan_and_every_outcome(project: Project) -> None:
    project.write(vertex_spec("a"), vertex_spec("b"))
    run = project.run("tuneops apply --auto-approve --format json")
    assert run.code == 0, run.err
    data = document("apply", run.out)
    assert data["result"] == "applied"
    assert [(o["action"], o["name"], o["ok"]) for o in data["outcomes"]] == [
        ("create", "a", True),
        ("create", "b", True),
    ]
    assert data["summary"] == {"done": 2, "queued": 0, "failed": 0}
    # Scripts match codes, not words: each worded note carries its code beside it.
    assert {a["reasonCode"] for a in data["plan"]["actions"]} == {NoteCode.NEW_SPEC.value}
    assert {o["detailCode"] for o in data["outcomes"]} == {NoteCode.CREATED.value}
    assert {o["job"] for o in data["outcomes"]} == {
        project.lock()[n]["pending"]["job"] for n in "ab"
    }


def test_a_blocked_apply_is_still_one_document(project: Project) -> None:
    project.write(*(vertex_spec(f"s{i}") for i in range(3)))
    run = project.run("tuneops apply --auto-approve --max-create 2 --format json")
    assert run.code == 3
    data = document("apply", run.out)
    assert (data["result"], data["outcomes"]) == ("blocked", [])
    assert all("guards.maxCreate" in a["blocked"] for a in data["plan"]["actions"])
    assert {a["blockedCode"] for a in data["plan"]["actions"]} == {
        NoteCode.BLOCKED_MAX_CREATE.value
    }
    assert project.creates() == 0


def test_apply_wait_puts_the_wait_inside_the_apply_document(project: Project) -> None:
    project.write(vertex_spec("a"))
    run = project.run(
        "tuneops apply --auto-approve --wait --timeout 0.05 --poll-interval 0.05 --format json"
    )
    assert run.code == 124, run.err
    data = document("apply", run.out)
    assert data["wait"]["result"] == "timeout"
    assert [j["name"] for j in data["wait"]["jobs"]] == ["a"]


def test_wait_reports_each_job(project: Project) -> None:
    project.write(vertex_spec("a"))
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(JOB_SECONDS)
    run = project.run("tuneops wait --format json --poll-interval 1")
    assert run.code == 0, run.err
    data = document("wait", run.out)
    assert data["result"] == "succeeded"
    (job,) = data["jobs"]
    assert (job["name"], job["state"], job["job"]) == (
        "a",
        "succeeded",
        project.lock()["a"]["active"]["job"],
    )


def test_reconcile_reports_updates_changes_and_drift(project: Project) -> None:
    project.write(vertex_spec("a"))
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(JOB_SECONDS)
    run = project.run("tuneops reconcile --format json")
    assert run.code == 0, run.err
    data = document("reconcile", run.out)
    assert (data["lockfileWritten"], data["changes"], data["drift"]) == (False, [], [])
    assert [a["action"] for a in data["lockfileUpdates"]] == ["promote"]
    written = document("reconcile", project.run("tuneops reconcile --write-lock --format json").out)
    assert [(o["action"], o["ok"]) for o in written["outcomes"]] == [("promote", True)]
    assert (written["lockfileWritten"], written["lockfileUpdates"]) == (True, [])
    project.write(vertex_spec("a", epochs=4))
    changed = document("reconcile", project.run("tuneops reconcile --format json").out)
    assert [a["action"] for a in changed["changes"]] == ["replace"]


@pytest.mark.filterwarnings(SDK_WARNINGS)
def test_import_says_whether_the_job_matches(project: Project) -> None:
    from google.genai import types

    client = vertex_client(project.emulator.url)
    job = client.tunings.tune(
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri="gs://acme/a.jsonl"),
        config=types.CreateTuningJobConfig(epoch_count=7),
    )
    assert job.name
    project.write(vertex_spec("a", epochs=3))
    run = project.run(f"tuneops import a {job.name} --format json")
    assert run.code == 0, run.err
    data = document("import", run.out)
    assert (data["revision"], data["matchesSpec"]) == ("pending", False)
    assert data["changes"] == [{"path": "hyperParameters.epochCount", "old": 7, "new": 3}]


def test_plan_status_and_validate_carry_the_format_version(project: Project) -> None:
    project.write(vertex_spec("a"))
    plan = document("plan", project.run("tuneops plan --format json").out)
    assert [a["action"] for a in plan["actions"]] == ["create"]
    status = document("status", project.run("tuneops status --format json").out)
    assert [(s["name"], s["sync"]) for s in status["specs"]] == [("a", "missing")]
    valid = document("validate", project.run("tuneops validate --format json").out)
    assert valid["valid"] is True


def test_queued_work_is_valid_in_every_document(project: Project) -> None:
    project.configure(vertex={"endpoint": project.emulator.url, "maxConcurrentJobs": 1})
    project.write(vertex_spec("a"), vertex_spec("b"))
    planned = document("plan", project.run("tuneops plan --format json").out)
    assert planned["summary"]["queued"] == 1
    applied = document("apply", project.run("tuneops apply --auto-approve --format json").out)
    assert applied["summary"] == {"done": 1, "queued": 1, "failed": 0}
    assert [o.get("queued", False) for o in applied["outcomes"]] == [False, True]
    status = document("status", project.run("tuneops status --format json").out)
    assert [s["queued"] is not None for s in status["specs"]] == [False, True]
    waiting = document("reconcile", project.run("tuneops reconcile --format json").out)
    assert [c["name"] for c in waiting["changes"] if c.get("queued")] == ["b"]
    project.configure(vertex={"endpoint": project.emulator.url})
    project.remove("b")  # the queued spec is gone: its entry is forgotten
    project.write(vertex_spec("c"))
    cycle = project.run("tuneops reconcile --apply --format json")
    document("reconcile", cycle.out)
