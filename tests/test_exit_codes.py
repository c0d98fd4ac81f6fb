"""Every row of the exit-code table in README.md ("Exit codes"), as a user meets it.

CI reads these codes: 2 must mean "changes are pending" and nothing else, so
usage errors (argparse's included) exit 1. Usage errors and Ctrl-C run as real
processes, since the code the shell sees is what counts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.commands.project import TOKEN, Project, use_credentials, vertex_spec
from tuneops.emulator import EmulatorHandle

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def _process(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "tuneops", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        timeout=60,
    )


def test_0_success_and_nothing_to_do(project: Project) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops validate").code == 0
    assert project.run("tuneops apply --auto-approve").code == 0
    assert project.run("tuneops plan --detailed-exitcode").code == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "--no-such-flag"],
        ["plam"],
        [],
        ["plan", "--format", "xml"],
        ["apply", "--parallelism", "many"],
        ["github"],
        ["github", "comment"],
        ["plan", "--detailed-exitcode", "--typo"],
    ],
    ids=lambda argv: " ".join(argv) or "(none)",
)
def test_1_usage_errors_never_2(argv: list[str], tmp_path: Path) -> None:
    child = _process(*argv, cwd=tmp_path)
    assert child.returncode == 1, child.stderr
    assert child.stderr.startswith("usage: tuneops")
    assert "error: " in child.stderr.splitlines()[-1]


def test_1_bad_input(project: Project) -> None:
    (project.root / "specs" / "bad.yaml").write_text("kind: TuningJob\nspec: 1\n", "utf-8")
    assert project.run("tuneops validate").code == 1
    run = project.run("tuneops plan --detailed-exitcode")
    assert run.code == 1
    assert run.err.splitlines()[-1] == "error: 3 errors in the input files"


def test_1_remote_failure(project: Project) -> None:
    project.write(vertex_spec("bot"))
    project.emulator.add_fault(method="GET", path="tuningJobs", kind="status", status=403, count=1)
    run = project.run("tuneops plan --detailed-exitcode")
    assert (run.code, run.out) == (1, "")
    assert run.err.startswith("error: ")


def test_2_changes_pending_only_with_detailed_exitcode(project: Project) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops plan").code == 0
    assert project.run("tuneops plan --detailed-exitcode").code == 2


def test_2_drift_with_reconcile_detailed_exitcode(project: Project) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    job = project.lock()["bot"]["pending"]["job"]
    url = f"{project.emulator.url}/v1/{job}:cancel"
    requests.post(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).raise_for_status()
    project.emulator.advance(5)  # the cancel takes effect
    assert project.run("tuneops reconcile").code == 0
    assert project.run("tuneops reconcile --detailed-exitcode").code == 2


def test_3_a_guard_blocks_plan_and_apply(project: Project) -> None:
    project.write(*(vertex_spec(f"bot-{n}") for n in range(3)))
    assert project.run("tuneops plan --max-create 2").code == 3
    assert project.run("tuneops plan --max-create 2 --detailed-exitcode").code == 3
    assert project.run("tuneops apply --auto-approve --max-create 2").code == 3
    assert project.creates() == 0


def test_124_wait_timed_out(project: Project) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    assert project.run("tuneops wait --poll-interval 0.05 --timeout 0.2").code == 124


def test_130_interrupted(project: Project) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tuneops", "-C", str(project.root), "wait", "--poll-interval", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not child.stderr.readline():
        pass  # the first progress line: the command is running
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 130
    assert err.splitlines()[-1] == "interrupted"
