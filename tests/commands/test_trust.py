"""Tampered lockfiles and plan files, lying servers, unwritable records: nothing foreign moves.

Each test is a case from issue 11, driven like a shell session against the
emulator (through a hostile server where the server lies), asserting what the
user sees and what the remote service holds afterwards.
"""

from __future__ import annotations

import json
import os
import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.commands.project import TOKEN, Project, use_credentials, vertex_spec
from tests.hostile import HostileServer, Reply, Seen
from tuneops.core.plan import Action, ActionKind, Plan
from tuneops.emulator import EmulatorHandle
from tuneops.notes import Note, NoteCode
from tuneops.project.file import require_project
from tuneops.render.wording import word
from tuneops.runtime.applier import Applier
from tuneops.runtime.inputs import gather
from tuneops.runtime.session import RemoteSession
from tuneops.specs.kinds import BackendKind

JOBS = r"/v1/projects/[^/]+/locations/us-central1/tuningJobs"
COLLECTION = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    (tmp_path / "ours").mkdir()
    return Project(tmp_path / "ours", emulator)


def states(project: Project) -> dict[str, str]:
    return {job["name"]: job["state"] for job in project.remote()}


def foreign_job(emulator: EmulatorHandle, labels: dict[str, str] | None) -> str:
    """A live job made outside this stack (another stack's labels, or none)."""
    body: dict[str, Any] = {
        "baseModel": "gemini-3.5-flash",
        "supervisedTuningSpec": {"trainingDatasetUri": "gs://other/train.jsonl"},
    }
    if labels is not None:
        body["labels"] = labels
    answer = requests.post(
        f"{emulator.url}{COLLECTION}",
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    answer.raise_for_status()
    name: str = answer.json()["name"]
    return name


def write_lock(project: Project, specs: dict[str, Any]) -> None:
    text = yaml.safe_dump({"version": 1, "stack": "e2e", "specs": specs})
    (project.root / "tuneops.lock").write_text(text, encoding="utf-8")


OTHER_STACK = {
    "tuneops-stack": "other",
    "tuneops-name": "bot",
    "tuneops-hash": "0123456789abcdef",
}


@pytest.mark.parametrize("labels", [OTHER_STACK, None], ids=["another-stack", "no-labels"])
def test_an_imported_lockfile_entry_without_a_spec_is_forgotten_never_cancelled(
    project: Project, labels: dict[str, str] | None
) -> None:
    job = foreign_job(project.emulator, labels)
    revision = {"job": job, "specHash": "0" * 64, "state": "pending", "imported": True}
    write_lock(
        project,
        {
            "bot": {
                "backend": "vertex",
                "specHash": "0" * 64,
                "protect": False,
                "project": "acme-ml",
                "location": "us-central1",
                "pending": revision,
            }
        },
    )
    plan = project.run("tuneops plan --format json")
    assert plan.code == 0, plan.err
    actions = [(a["action"], a["name"]) for a in json.loads(plan.out)["actions"]]
    assert actions == [("forget", "bot")]
    assert "is only forgotten, never cancelled, and keeps running" in plan.out
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    assert states(project)[job] == "JOB_STATE_PENDING"
    assert "bot" not in project.lock()


def test_an_edited_plan_file_with_added_cancels_is_refused(project: Project) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    first = foreign_job(project.emulator, OTHER_STACK)
    second = foreign_job(project.emulator, None)
    saved = project.root / "bot.plan"
    assert project.run(f"tuneops plan --out {saved}").code == 0
    data = json.loads(saved.read_text("utf-8"))
    for job in (first, second):
        data["actions"].append(
            {"action": "cancel", "name": "bot", "backend": "vertex", "reason": "x", "job": job}
        )
    saved.write_text(json.dumps(data), encoding="utf-8")
    run = project.run(f"tuneops apply {saved}")
    assert run.code == 1
    assert run.err == (
        f"error: the plan in {saved} does not match the plan computed now, so it is not "
        f"applied: cancel bot ({first}) is not in the plan computed now; "
        f"cancel bot ({second}) is not in the plan computed now\n"
    )
    assert states(project)[first] == states(project)[second] == "JOB_STATE_PENDING"


@pytest.mark.parametrize(
    ("kind", "verb"), [(ActionKind.CANCEL, "cancel"), (ActionKind.DELETE, "delete")]
)
def test_the_applier_reads_each_job_before_cancelling_it(
    project: Project, kind: ActionKind, verb: str
) -> None:
    """Defence in depth: whatever plan reaches the applier, the job itself decides."""
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    foreign = foreign_job(project.emulator, OTHER_STACK)
    loaded = require_project(project.root / "tuneops.yaml")
    forged = Plan(
        stack="e2e",
        fingerprint="forged",
        actions=(
            Action(
                kind, "bot", BackendKind.VERTEX, Note.of(NoteCode.SAVED, text="forged"), job=foreign
            ),
        ),
    )
    with RemoteSession(loaded) as session:
        outcomes = Applier.for_inputs(session, gather(loaded, session)).run(forged)
    assert [(o.ok, word(o.detail)) for o in outcomes] == [
        (
            False,
            f"refusing to {verb} {foreign}: it does not carry the labels of spec 'bot' in "
            "stack 'e2e'; tuneops stops only its own jobs",
        )
    ]
    assert states(project)[foreign] == "JOB_STATE_PENDING"


def test_a_plan_file_nested_too_deeply_is_a_clean_error(project: Project) -> None:
    project.write(vertex_spec("bot"))
    saved = project.root / "deep.plan"
    saved.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    run = project.run(f"tuneops apply {saved}")
    assert run.code == 1
    assert run.err == (
        f"error: cannot read the plan file {saved}: the plan is nested deeper than 16 levels\n"
    )


def test_a_listing_that_omits_live_jobs_stops_the_plan(
    project: Project, hostile: HostileServer
) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    job = project.lock()["bot"]["pending"]["job"]
    project.configure(vertex={"endpoint": hostile.url})
    hostile.rule("GET", JOBS, lambda seen: Reply.of(200, {}))
    run = project.run("tuneops plan")
    assert run.code == 1
    assert run.err == (
        f"error: the listing of the stack's jobs left out {job} (spec 'bot'), which exists and "
        "is pending; the service's listing cannot be trusted, so nothing is planned\n"
    )
    assert run.out == ""
    assert project.run("tuneops apply --auto-approve").code == 1
    assert len(project.remote()) == 1


def test_a_create_answered_with_an_empty_object_records_the_real_job(
    project: Project, hostile: HostileServer
) -> None:
    def committed_then_empty(seen: Seen) -> Reply:
        seen.forward()
        return Reply.of(200, {})

    project.configure(vertex={"endpoint": hostile.url})
    hostile.rule("POST", JOBS, committed_then_empty, times=1)
    project.write(vertex_spec("bot"))
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    [job] = project.remote()
    assert project.lock()["bot"]["pending"]["job"] == job["name"]
    assert project.run("tuneops plan --detailed-exitcode").code == 0


@contextmanager
def full_disk() -> Iterator[None]:
    """Every file write of this process fails with EFBIG, as on a full disk.

    (Tests may run as root, whom file permissions do not stop; a file size
    limit of zero stops everyone.)
    """
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous_handler)


def test_a_full_disk_stops_apply_before_any_job_starts(project: Project) -> None:
    project.write(vertex_spec("a"), vertex_spec("b"))
    with full_disk():
        run = project.run("tuneops apply --auto-approve")
    assert run.code == 1
    assert run.err.splitlines()[-1] == (
        "error: cannot write the lockfile tuneops.lock: File too large; "
        "nothing was applied, since apply must record every job it starts or stops"
    )
    assert project.creates() == 0
    assert not (project.root / "tuneops.lock").exists()


def test_plan_out_to_an_unwritable_place_is_a_clean_error(project: Project) -> None:
    project.write(vertex_spec("bot"))
    (project.root / "blocker").write_text("a file, not a folder", encoding="utf-8")
    target = project.root / "blocker" / "bot.plan"
    run = project.run(f"tuneops plan --out {target}")
    assert run.code == 1
    assert run.err.splitlines()[-1] == f"error: cannot write the plan to {target}: Not a directory"


def test_a_cancel_that_a_racing_apply_already_made_counts_as_done(
    project: Project, hostile: HostileServer
) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    project.configure(vertex={"endpoint": hostile.url})

    def raced(seen: Seen) -> Reply:
        seen.forward()  # the other apply's cancel lands first...
        return Reply.of(  # ...so ours finds the job no longer cancellable
            400,
            {"error": {"code": 400, "status": "FAILED_PRECONDITION", "message": "cancelled"}},
        )

    hostile.rule("POST", JOBS + r"/\d+:cancel", raced, times=1)
    project.remove("bot")
    run = project.run("tuneops apply --auto-approve --allow-empty")
    assert run.code == 0, run.out + run.err
    assert "✓ cancel" in run.out
    assert set(states(project).values()) <= {"JOB_STATE_CANCELLING", "JOB_STATE_CANCELLED"}


def test_a_fifo_as_lockfile_or_plan_file_is_refused_without_hanging(project: Project) -> None:
    project.write(vertex_spec("bot"))
    pipe = project.root / "bot.plan"
    os.mkfifo(pipe)
    run = project.run(f"tuneops apply {pipe}")
    assert run.code == 1
    assert run.err == (
        f"error: cannot read the plan file {pipe}: not a regular file (a FIFO, device or "
        "directory); only regular files are read\n"
    )
    os.mkfifo(project.root / "tuneops.lock")
    run = project.run("tuneops plan")
    assert run.code == 1
    assert run.err.startswith("error: the lockfile tuneops.lock is not a regular file; ")
    assert project.remote() == []
