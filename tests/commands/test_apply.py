"""plan and apply end to end through the CLI against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.commands.project import (
    TOKEN,
    Project,
    gemini_spec,
    plan_json,
    use_credentials,
    vertex_spec,
)
from tuneops.emulator import EmulatorHandle

JOB_SECONDS = 40  # emulator defaults: 2 s queued, 30 s running


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


@pytest.mark.gemini_tuning_available
def test_create_from_nothing_then_nothing_to_do(project: Project) -> None:
    project.write(vertex_spec("bot"), gemini_spec("numbers"))
    first = project.run("tuneops apply --auto-approve")
    assert first.code == 0, first.err
    assert "Apply complete: 2 done, 0 failed." in first.out
    lock = project.lock()
    assert sorted(lock) == ["bot", "numbers"]
    assert lock["bot"]["pending"]["state"] == "pending"
    assert lock["numbers"]["pending"]["job"].startswith("tunedModels/numbers-")
    assert project.creates() == 2

    again = project.run("tuneops plan --detailed-exitcode")
    assert (again.code, again.out) == (0, "No changes. The remote jobs match the specs.\n")
    assert project.run("tuneops apply --auto-approve").code == 0
    assert project.creates() == 2

    project.write(vertex_spec("another"))
    assert project.run("tuneops plan --detailed-exitcode").code == 2


def test_replace_is_blue_green_and_promote_follows_success(project: Project) -> None:
    project.write(vertex_spec("bot", epochs=3))
    assert project.run("tuneops apply --auto-approve").code == 0
    project.emulator.advance(JOB_SECONDS)
    promoted = project.run("tuneops apply --auto-approve")
    assert "promote" in promoted.out
    old = project.lock()["bot"]["active"]
    assert old["state"] == "succeeded" and old["endpoint"].startswith("projects/123456789012/")

    project.write(vertex_spec("bot", epochs=5))
    plan = project.run("tuneops plan")
    assert plan.out.splitlines()[:2] == [
        f"  ± replace  bot  spec changed ({old['job']})",
        "        ~ hyperParameters.epochCount: 3 → 5",
    ]
    assert project.run("tuneops apply --auto-approve").code == 0
    during = project.lock()["bot"]
    assert during["active"]["endpoint"] == old["endpoint"]  # still serving the old model
    assert during["pending"]["state"] == "pending"

    project.emulator.advance(JOB_SECONDS)
    assert project.run("tuneops apply --auto-approve").code == 0
    after = project.lock()["bot"]
    assert "pending" not in after
    assert after["active"]["job"] == during["pending"]["job"]
    assert after["active"]["endpoint"] != old["endpoint"]


def test_replace_cancels_the_revision_still_in_flight(project: Project) -> None:
    project.write(vertex_spec("bot", epochs=3))
    project.run("tuneops apply --auto-approve")
    first = project.lock()["bot"]["pending"]["job"]
    project.write(vertex_spec("bot", epochs=4))
    (action,) = plan_json(project)["actions"]
    assert (action["action"], action["cancels"]) == ("replace", [first])
    assert project.run("tuneops apply --auto-approve").code == 0
    states = {job["name"]: job["state"] for job in project.remote()}
    assert states[first] in ("JOB_STATE_CANCELLING", "JOB_STATE_CANCELLED")


def test_removed_spec_is_cancelled_then_forgotten(project: Project) -> None:
    project.write(vertex_spec("keep"), vertex_spec("gone"))
    project.run("tuneops apply --auto-approve")
    gone = project.lock()["gone"]["pending"]["job"]
    project.remove("gone")
    assert [a["action"] for a in plan_json(project)["actions"]] == ["cancel"]
    assert project.run("tuneops apply --auto-approve").code == 0
    project.emulator.advance(5)
    assert [(a["action"], a["name"]) for a in plan_json(project)["actions"]] == [("forget", "gone")]
    assert project.run("tuneops apply --auto-approve").code == 0
    assert sorted(project.lock()) == ["keep"]
    assert {j["name"]: j["state"] for j in project.remote()}[gone] == "JOB_STATE_CANCELLED"


@pytest.mark.gemini_tuning_available
def test_a_lost_lockfile_is_rebuilt_by_adoption_without_new_jobs(project: Project) -> None:
    project.write(vertex_spec("bot"), gemini_spec("numbers"))
    project.run("tuneops apply --auto-approve")
    before = project.lock()
    (project.root / "tuneops.lock").unlink()
    assert [a["action"] for a in plan_json(project)["actions"]] == ["adopt", "adopt"]
    assert project.run("tuneops apply --auto-approve").code == 0
    assert project.creates() == 2
    assert project.lock() == before


def test_failed_jobs_are_retried_only_when_asked(project: Project) -> None:
    project.write(vertex_spec("bot"))
    project.run("tuneops apply --auto-approve")
    job = project.lock()["bot"]["pending"]["job"]
    project.emulator.force(job, "fail")
    quiet = project.run("tuneops plan")
    assert quiet.code == 0
    assert f"note: bot: job {job} failed" in quiet.out
    assert project.run("tuneops apply --auto-approve").code == 0
    assert project.creates() == 1
    assert project.lock()["bot"]["pending"]["state"] == "failed"
    retried = project.run("tuneops apply --auto-approve --retry-failed")
    assert retried.code == 0, retried.out
    assert project.creates() == 2
    assert project.lock()["bot"]["pending"]["job"] != job


def test_jobs_of_other_stacks_and_unlabelled_jobs_are_untouched(project: Project) -> None:
    project.write(vertex_spec("bot"))
    project.run("tuneops apply --auto-approve")
    other = Project(project.root / "other", project.emulator, stack="someone-else")
    other.write(vertex_spec("bot"))
    other.run("tuneops apply --auto-approve")
    unlabelled = requests.post(
        f"{project.emulator.url}/v1/projects/acme-ml/locations/us-central1/tuningJobs",
        json={
            "baseModel": "gemini-3.5-flash",
            "supervisedTuningSpec": {"trainingDatasetUri": "gs://acme/hand.jsonl"},
        },
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    ).json()["name"]
    project.remove("bot")
    actions = plan_json(project, "--allow-empty")["actions"]
    assert [(a["action"], a["name"]) for a in actions] == [("cancel", "bot")]
    assert actions[0]["job"] == project.lock()["bot"]["pending"]["job"]
    assert project.run("tuneops apply --auto-approve --allow-empty").code == 0
    mine = project.lock()["bot"]["pending"]["job"]
    states = {j["name"]: j["state"] for j in project.remote()}
    theirs = other.lock()["bot"]["pending"]["job"]
    assert states[theirs] == "JOB_STATE_PENDING"
    assert states[unlabelled] == "JOB_STATE_PENDING"
    assert states[mine] == "JOB_STATE_CANCELLING"
