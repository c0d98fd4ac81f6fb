"""`tuneops emulator` as a user runs it: the URL line first, then a clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tuneops.cli import main
from tuneops.console import Console


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def launch(processes: list[subprocess.Popen[str]], *args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tuneops", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    processes.append(process)
    return process


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_prints_its_url_first_and_stops_cleanly(
    started: list[subprocess.Popen[str]], stop: signal.Signals, tmp_path: Path
) -> None:
    began = time.monotonic()
    process = launch(started, "--state", str(tmp_path / "state.sqlite"), "--no-auth")
    assert process.stdout is not None
    line = process.stdout.readline()
    took = time.monotonic() - began
    assert line.startswith("listening on http://127.0.0.1:"), line
    # Python start-up and imports included; the server itself binds in milliseconds.
    assert took < 5, took
    url = line.split()[-1]
    jobs = requests.get(f"{url}/v1/projects/p/locations/l/tuningJobs", timeout=5)
    assert (jobs.status_code, jobs.json()) == (200, {})
    process.send_signal(stop)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert out == ""
    assert "GET /v1/projects/p/locations/l/tuningJobs 200" in err
    assert err.rstrip().endswith("emulator stopped")


def test_bad_options_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["emulator", "--port", "0", "--fail-rate", "2"], Console())
    assert code == 1
    assert capsys.readouterr().err == (
        "error: emulator: fail_rate must be between 0 and 1, got 2.0\n"
    )


def test_a_busy_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["emulator", "--port", str(port)], Console())
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: emulator: cannot serve on 127.0.0.1:{port}: Address already in use\n"
    )


def test_it_can_refuse_user_credentials_without_a_quota_project(
    started: list[subprocess.Popen[str]],
) -> None:
    process = launch(started, "--require-quota-project")
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    models = f"{url}/v1beta/tunedModels"
    token = {"Authorization": "Bearer user-token"}
    refused = requests.get(models, headers=token, timeout=5)
    allowed = requests.get(models, headers={**token, "x-goog-user-project": "acme"}, timeout=5)
    keyed = requests.get(models, headers={"x-goog-api-key": "key"}, timeout=5)
    assert refused.status_code == 403
    assert "requires a quota project" in refused.json()["error"]["message"]
    assert (allowed.status_code, keyed.status_code) == (200, 200)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=10)


def test_gemini_tuning_is_refused_unless_made_available(
    started: list[subprocess.Popen[str]],
) -> None:
    body = {
        "baseModel": "models/gemini-1.5-flash-001-tuning",
        "tuningTask": {
            "trainingData": {"examples": {"examples": [{"textInput": "1", "output": "2"}]}}
        },
    }
    statuses = []
    for flags in ((), ("--gemini-tuning", "available")):
        process = launch(started, *flags)
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        answer = requests.post(
            f"{url}/v1beta/tunedModels", json=body, headers={"x-goog-api-key": "k"}, timeout=5
        )
        statuses.append((answer.status_code, answer.json().get("error", {}).get("status")))
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
        tuning = "available" if flags else "unavailable"
        assert f"Gemini API tuning {tuning};" in err
    assert statuses == [(404, "NOT_FOUND"), (200, None)]


def test_it_enforces_a_concurrent_jobs_limit_given_on_the_command_line(
    started: list[subprocess.Popen[str]],
) -> None:
    process = launch(started, "--max-concurrent-jobs", "2")
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    assert requests.get(f"{url}/_emulator/limits", timeout=5).json() == {"maxConcurrentJobs": 2}
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=10)


def test_a_concurrent_jobs_limit_below_one_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["emulator", "--port", "0", "--max-concurrent-jobs", "0"], Console()) == 1
    assert capsys.readouterr().err == (
        "error: emulator: max_concurrent_jobs must be at least 1, got 0\n"
    )
