"""The container image: the Dockerfile's promises, and a real build where an engine runs.

The build needs a container engine that answers (`docker info`) and, like any
image build, the base image and the Python package index; without an engine the
test is skipped with the reason (shown by `pytest -ra`). hadolint checks the
Dockerfile in `make lint`.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tuneops import __version__

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            word, _, rest = stripped.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_the_image_is_multi_stage_non_root_and_runs_tuneops() -> None:
    steps = _instructions()
    stages = [rest for word, rest in steps if word == "FROM"]
    assert len(stages) == 2 and stages[0].endswith(" AS build")
    final = steps[max(i for i, (word, _) in enumerate(steps) if word == "FROM") :]
    users = [rest for word, rest in final if word == "USER"]
    assert users == ["10001:10001"]  # numeric: runAsNonRoot can check it
    assert ("ENTRYPOINT", '["tuneops"]') in final
    installs = " ".join(rest for word, rest in final if word == "RUN")
    assert "--no-index" in installs and "/wheels/tuneops-" in installs
    assert not any(word in ("ADD", "COPY") for word, _ in final)  # only wheels, via a mount


def _engine() -> str:
    """The docker CLI when an engine answers; otherwise the test is skipped, saying why."""
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no container engine: the docker CLI is not installed")
    try:
        answer = subprocess.run(
            [docker, "info"], capture_output=True, text=True, timeout=30, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.skip("no container engine: `docker info` did not answer within 30 s")
    if answer.returncode != 0:
        reason = (answer.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"no container engine: `docker info` failed: {reason}")
    return docker


@pytest.mark.slow
def test_the_image_builds_and_runs_tuneops_version_on_a_read_only_root() -> None:
    docker = _engine()
    tag = f"tuneops-test:{uuid.uuid4().hex[:12]}"
    subprocess.run([docker, "build", "--tag", tag, str(ROOT)], check=True, timeout=1800)
    try:
        run = subprocess.run(
            [docker, "run", "--rm", "--read-only", "--tmpfs", "/tmp", tag, "--version"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert (run.returncode, run.stdout) == (0, f"tuneops {__version__}\n"), run.stderr
        user = subprocess.run(
            [docker, "run", "--rm", "--entrypoint", "id", tag, "-u"],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        assert user.stdout.strip() == "10001"
    finally:
        subprocess.run([docker, "image", "rm", "--force", tag], capture_output=True, check=False)
