"""reconcile, wait, status and smoke tests against the emulator with a virtual clock."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.commands.project import (
    API_KEY,
    TOKEN,
    Project,
    gemini_spec,
    use_credentials,
    vertex_spec,
)
from tuneops.commands.status import status
from tuneops.console import Console
from tuneops.emulator import EmulatorHandle

JOB_SECONDS = 40


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def _cancel(project: Project, job: str) -> None:
    url = f"{project.emulator.url}/v1/{job}:cancel"
    requests.post(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).raise_for_status()


def _delete_gemini(project: Project, model: str) -> None:
    url = f"{project.emulator.url}/v1beta/{model}"
    requests.delete(url, headers={"x-goog-api-key": API_KEY}, timeout=10).raise_for_status()


def test_reconcile_promotes_succeeded_revisions_only_with_write_lock(project: Project) -> None:
    project.write(vertex_spec("bot"))
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(JOB_SECONDS)
    dry = project.run("tuneops reconcile")
    assert dry.code == 0
    assert "Lockfile updates, not written (pass --write-lock to record them):" in dry.out
    assert "active" not in project.lock()["bot"]
    wrote = project.run("tuneops reconcile --write-lock --detailed-exitcode")
    assert wrote.code == 0, wrote.out
    assert project.lock()["bot"]["active"]["state"] == "succeeded"
    assert wrote.out.endswith("Drift: none.\n")


@pytest.mark.gemini_tuning_available
def test_reconcile_reports_each_kind_of_drift(project: Project) -> None:
    project.write(vertex_spec("cancelled"), vertex_spec("failed"), gemini_spec("deleted"))
    project.run("tuneops apply --auto-approve")
    lock = project.lock()
    _cancel(project, lock["cancelled"]["pending"]["job"])
    project.emulator.force(lock["failed"]["pending"]["job"], "fail")
    _delete_gemini(project, lock["deleted"]["pending"]["job"])
    stranger = Project(project.root / "elsewhere", project.emulator)  # same stack, other checkout
    stranger.write(vertex_spec("stray"))
    stranger.run("tuneops apply --auto-approve")
    project.emulator.advance(5)

    run = project.run("tuneops reconcile --detailed-exitcode")
    assert run.code == 2
    drift = run.out[run.out.index("Drift:") :].splitlines()
    stray = stranger.lock()["stray"]["pending"]["job"]
    assert drift == [
        "Drift:",
        f"  ! cancelled: cancelled outside tuneops: job {lock['cancelled']['pending']['job']} "
        "was cancelled",
        f"  ! deleted: deleted outside tuneops: job {lock['deleted']['pending']['job']} "
        "no longer exists",
        "  ! deleted: job gone: the spec's jobs are all gone; apply creates one",
        f"  ! failed: failed: job {lock['failed']['pending']['job']} failed: "
        + _error_of(project, lock["failed"]["pending"]["job"]),
        f"  ! stray: no spec explains it: job {stray} carries this stack's labels but no spec "
        "or lockfile entry explains it",
    ]
    assert "Changes waiting for `tuneops apply`:" in run.out


def _error_of(project: Project, job: str) -> str:
    url = f"{project.emulator.url}/v1/{job}"
    answer = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
    return str(answer["error"]["message"])


def test_a_lockfile_rebuilt_from_nothing_equals_the_one_apply_wrote(project: Project) -> None:
    project.write(vertex_spec("bot"), gemini_spec("numbers"), vertex_spec("third", epochs=4))
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(JOB_SECONDS)
    project.run("tuneops apply --auto-approve")
    written = (project.root / "tuneops.lock").read_text("utf-8")
    (project.root / "tuneops.lock").write_text("not: [a lockfile\n", "utf-8")
    broken = project.run("tuneops reconcile --write-lock")
    assert broken.code == 0
    assert "warning: the lockfile is corrupt" in broken.err
    assert (project.root / "tuneops.lock").read_text("utf-8") == written
    (project.root / "tuneops.lock").unlink()
    assert project.run("tuneops reconcile --write-lock").code == 0
    assert (project.root / "tuneops.lock").read_text("utf-8") == written


def test_watch_runs_cycles_until_sigterm(project: Project) -> None:
    project.write(vertex_spec("bot"))
    env = {**os.environ, "TUNEOPS_ACCESS_TOKEN": TOKEN, "GEMINI_API_KEY": API_KEY}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tuneops",
            "-C",
            str(project.root),
            "reconcile",
            "--watch",
            "--interval",
            "0.2",
            "--write-lock",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    cycles: list[str] = []
    deadline = time.monotonic() + 30
    while len(cycles) < 3 and time.monotonic() < deadline:
        line = process.stderr.readline()
        if line.startswith("reconcile cycle"):
            cycles.append(line)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert cycles[0] == "reconcile cycle 1: 0 recorded, 1 changes waiting, 0 drift\n"
    assert len(cycles) == 3
    assert err.strip().splitlines()[-1].startswith("reconcile stopped after ")


def _advance_soon(emulator: EmulatorHandle, seconds: float) -> threading.Thread:
    def later() -> None:
        time.sleep(0.3)
        emulator.advance(seconds)

    thread = threading.Thread(target=later)
    thread.start()
    return thread


@pytest.mark.gemini_tuning_available
def test_wait_returns_0_when_all_succeed_and_updates_the_lockfile(project: Project) -> None:
    project.write(vertex_spec("bot"), gemini_spec("numbers"))
    project.run("tuneops apply --auto-approve")
    thread = _advance_soon(project.emulator, JOB_SECONDS)
    run = project.run("tuneops wait --poll-interval 0.05 --timeout 20")
    thread.join()
    assert run.code == 0, run.err
    assert run.err.splitlines()[-1] == "all 2 jobs succeeded"
    assert {e["active"]["state"] for e in project.lock().values()} == {"succeeded"}


def test_wait_returns_1_when_a_job_fails(project: Project) -> None:
    project.write(vertex_spec("bot"))
    project.run("tuneops apply --auto-approve")
    project.emulator.force(project.lock()["bot"]["pending"]["job"], "fail")
    run = project.run("tuneops wait bot --poll-interval 0.05")
    assert run.code == 1
    assert run.err.splitlines()[-1] == "error: not every job succeeded: bot"


def test_wait_times_out_with_exit_124(project: Project) -> None:
    project.write(vertex_spec("bot"))
    project.run("tuneops apply --auto-approve")
    run = project.run("tuneops wait --poll-interval 0.05 --timeout 0.3")
    assert run.code == 124
    assert run.err.splitlines()[-1] == (
        "error: timed out after 0.3s waiting for bot (the jobs keep running; wait again or "
        "check `tuneops status`)"
    )


@pytest.mark.gemini_tuning_available
def test_smoke_test_that_passes_promotes(project: Project) -> None:
    smoke = {"prompt": "I", "expect": {"equals": "II"}}
    project.write(gemini_spec("numbers", smokeTest=smoke))
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(JOB_SECONDS)
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0
    assert "(smoke test passed)" in run.out
    assert project.lock()["numbers"]["active"]["smokeTest"] == "passed"


@pytest.mark.gemini_tuning_available
def test_smoke_test_that_fails_keeps_the_old_endpoint(project: Project) -> None:
    project.write(gemini_spec("numbers", epochs=2))
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(JOB_SECONDS)
    project.run("tuneops apply --auto-approve")
    old = project.lock()["numbers"]["active"]
    project.write(
        gemini_spec("numbers", epochs=3, smokeTest={"prompt": "I", "expect": {"contains": "III"}})
    )
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(JOB_SECONDS)
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 1
    assert "smoke test failed: the answer 'II' does not contain 'III'" in run.out
    after = project.lock()["numbers"]
    assert after["active"] == old
    assert after["pending"]["smokeTest"] == "failed"
    assert "failed its smoke test" in project.run("tuneops plan").out
    statuses = project.run("tuneops status numbers").out.splitlines()
    assert statuses[1].split()[:5] == ["numbers", "in", "sync", "degraded", "succeeded"]


def test_status_for_a_mixed_set_of_states(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(vertex_spec("done"), vertex_spec("broken"), vertex_spec("running"))
    project.run("tuneops apply --auto-approve")
    lock = project.lock()
    project.emulator.force(lock["done"]["pending"]["job"], "succeed")
    project.emulator.force(lock["broken"]["pending"]["job"], "fail")
    project.run("tuneops apply --auto-approve")
    project.write(vertex_spec("fresh"))
    project.emulator.advance(10)
    error = _error_of(project, lock["broken"]["pending"]["job"])
    done = project.lock()["done"]["active"]["endpoint"]
    now = dt.datetime.fromisoformat(project.emulator.now().replace("Z", "+00:00"))
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.chdir(project.root)
    code = status(
        None, [], fmt="text", offline=False, console=Console(out, err, False), now=lambda: now
    )
    assert code == 0
    assert out.getvalue().splitlines() == [
        "NAME     SYNC     HEALTH       ACTIVE     PENDING  ELAPSED  PROGRESS   ENDPOINT",
        "broken   in sync  degraded     -          failed   0s       failed     -",
        f"  error: {error} (code 13)",
        f"done     in sync  healthy      succeeded  -        0s       succeeded  {done}",
        "fresh    missing  suspended    -          -        -        -          -",
        "running  in sync  progressing  -          running  8s       running    -",
        "from the remote services: 3 job(s) of stack e2e",
    ]


def test_status_falls_back_to_the_lockfile_and_says_so(project: Project) -> None:
    project.write(vertex_spec("bot"))
    project.run("tuneops apply --auto-approve")
    project.emulator.add_fault(method="GET", path="tuningJobs", kind="status", status=403, count=1)
    run = project.run("tuneops status")
    assert run.code == 0
    assert run.err.startswith("warning: GET ")
    assert run.err.rstrip().endswith("showing what the lockfile records")
    assert run.out.splitlines()[-1] == (
        "from the lockfile only (the remote services could not be read): "
        "remote states may have moved on"
    )
    assert run.out.splitlines()[1].split()[:4] == ["bot", "in", "sync", "progressing"]
