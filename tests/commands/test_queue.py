"""Concurrency limits end to end: a start that finds no free slot is queued, shown by
plan and status, and started by the next apply once a slot frees; one job per spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands.project import Project, plan_json, use_credentials, vertex_spec
from tuneops.emulator import EmulatorHandle

JOB_SECONDS = 40  # emulator defaults: 2 s queued, 30 s running


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def _jobs_per_spec(project: Project) -> dict[str, int]:
    counted: dict[str, int] = {}
    for job in project.remote():
        name = job["labels"]["tuneops-name"]
        counted[name] = counted.get(name, 0) + 1
    return counted


def test_max_concurrent_jobs_queues_the_second_spec_until_the_first_ends(
    project: Project,
) -> None:
    project.configure(vertex={"endpoint": project.emulator.url, "maxConcurrentJobs": 1})
    project.write(vertex_spec("alpha"), vertex_spec("beta"))

    planned = project.run("tuneops plan --detailed-exitcode")
    assert planned.code == 2, planned.err
    assert planned.out.splitlines()[-4:] == [
        "        ⏸ queued, 1st in line: 0 of vertex.maxConcurrentJobs 1 jobs in flight in its "
        "project and region; apply records it, a later apply starts it when a slot frees",
        "",
        "Estimated cost of the new jobs: ~<0.01 USD (an estimate, not a quote).",
        "Plan: 2 to create. 1 queued until a slot frees.",
    ]

    applied = project.run("tuneops apply --auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply complete: 1 done, 1 queued, 0 failed." in applied.out
    lock = project.lock()
    assert lock["alpha"]["pending"]["state"] == "pending"
    assert "pending" not in lock["beta"] and "active" not in lock["beta"]
    assert lock["beta"]["queued"] == {
        "specHash": lock["beta"]["specHash"],
        "ticket": 1,
        "reason": "max-concurrent-jobs",
    }
    assert _jobs_per_spec(project) == {"alpha": 1}

    data = plan_json(project)
    (waiting,) = [a for a in data["actions"] if a.get("queued")]
    assert (waiting["action"], waiting["name"]) == ("create", "beta")
    assert waiting["queued"] == {
        "reason": "max-concurrent-jobs",
        "position": 1,
        "inFlight": 1,
        "limit": 1,
    }
    assert data["summary"]["queued"] == 1 and data["summary"]["hasChanges"]

    status = project.run("tuneops status --format json")
    rows = {row["name"]: row for row in json.loads(status.out)["specs"]}
    assert rows["beta"]["queued"] == {
        "reason": "max-concurrent-jobs",
        "ticket": 1,
        "specHash": lock["beta"]["specHash"],
    }
    assert rows["beta"]["health"] == "progressing" and rows["alpha"]["queued"] is None
    table = project.run("tuneops status").out
    assert "  queued: waits for a free slot (ticket 1): vertex.maxConcurrentJobs jobs are in " in (
        table
    )

    # Still no slot: apply again records nothing new, and starts nothing.
    before = (project.root / "tuneops.lock").stat().st_mtime_ns
    again = project.run("tuneops apply --auto-approve")
    assert "Apply complete: 0 done, 1 queued, 0 failed." in again.out
    assert (project.root / "tuneops.lock").stat().st_mtime_ns == before
    assert _jobs_per_spec(project) == {"alpha": 1}

    project.emulator.advance(JOB_SECONDS)  # alpha succeeds: its slot frees
    freed = project.run("tuneops apply --auto-approve")
    assert freed.code == 0, freed.err
    assert "Apply complete: 2 done, 0 failed." in freed.out  # promote alpha, create beta
    lock = project.lock()
    assert "queued" not in lock["beta"] and lock["beta"]["pending"]["state"] == "pending"
    assert _jobs_per_spec(project) == {"alpha": 1, "beta": 1}
    assert project.creates() == 2


def test_a_quota_refusal_of_the_service_queues_instead_of_failing(project: Project) -> None:
    project.emulator.set_max_concurrent_jobs(1)
    project.write(vertex_spec("alpha"), vertex_spec("beta"))

    applied = project.run("tuneops apply --auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply complete: 1 done, 1 queued, 0 failed." in applied.out
    lock = project.lock()
    (waiting,) = [name for name in lock if "queued" in lock[name]]
    assert lock[waiting]["queued"]["reason"] == "service-quota"
    assert "the service refused the create for quota" in project.run("tuneops status").out

    project.emulator.advance(JOB_SECONDS)
    freed = project.run("tuneops apply --auto-approve")
    assert freed.code == 0, freed.err
    assert all("queued" not in entry for entry in project.lock().values())
    assert _jobs_per_spec(project) == {"alpha": 1, "beta": 1}


def test_a_replace_refused_for_quota_cancels_its_older_revision_to_make_room(
    project: Project,
) -> None:
    # A replace creates its new revision first, so that a refused create cancels
    # nothing; a quota refusal is the one case where the cancel must come first.
    project.emulator.set_max_concurrent_jobs(1)
    project.write(vertex_spec("alpha"))
    assert project.run("tuneops apply --auto-approve").code == 0
    (old,) = [job["name"] for job in project.remote()]
    project.write(vertex_spec("alpha", epochs=4))
    replaced = project.run("tuneops apply --auto-approve")
    assert replaced.code == 0, replaced.err
    assert "Apply complete: 1 done, 0 failed." in replaced.out
    states = {job["name"]: job["state"] for job in project.remote()}
    assert states.pop(old) in ("JOB_STATE_CANCELLING", "JOB_STATE_CANCELLED")
    assert list(states.values()) == ["JOB_STATE_PENDING"]
    assert project.lock()["alpha"]["pending"]["job"] in states
