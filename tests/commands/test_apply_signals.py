"""Ctrl-C and SIGTERM stop an apply promptly, even mid-storm, and lose no created job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.commands.project import TOKEN, Project, use_credentials, vertex_spec
from tuneops.emulator import EmulatorHandle
from tuneops.lockfile.file import read_lockfile

ROOT = Path(__file__).resolve().parents[2]
RETRY_AFTER = 120  # seconds every create is told to wait once the storm starts


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_an_apply_stuck_in_a_429_storm_and_every_created_job_is_recorded(
    project: Project, sig: signal.Signals, code: int
) -> None:
    project.write(*(vertex_spec(f"bot-{i:02d}") for i in range(12)))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TUNEOPS_ACCESS_TOKEN": TOKEN}
    command = [sys.executable, "-m", "tuneops", "-C", str(project.root), "apply"]
    process = subprocess.Popen(
        [*command, "--auto-approve", "--parallelism", "4"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while len(project.remote()) < 2:  # the first creates went through
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        project.emulator.add_fault(
            method="POST",
            path="/tuningJobs$",
            kind="status",
            status=429,
            retryAfter=RETRY_AFTER,
            count=1000,
        )
        time.sleep(1.5)  # every worker is now waiting out a Retry-After or the pacer
        process.send_signal(sig)
        started = time.monotonic()
        _, err = process.communicate(timeout=60)
        stopped_after = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
    # Behaviour, not a speed target: it did not sit out the two-minute Retry-After.
    assert stopped_after < 30, stopped_after
    assert process.returncode == code, err
    assert ("terminated" if sig is signal.SIGTERM else "interrupted") in err
    created = {job["name"] for job in project.remote()}
    lock = read_lockfile(project.root / "tuneops.lock", "e2e")  # with the journal folded in
    recorded = {e.pending.job for e in lock.entries.values() if e.pending}
    assert created and recorded == created
    # The next plan creates only what is missing: no job twice.
    project.emulator.clear_faults()
    plan = json.loads(project.run("tuneops plan --format json").out)
    assert sorted(a["action"] for a in plan["actions"]) == ["create"] * (12 - len(created))
