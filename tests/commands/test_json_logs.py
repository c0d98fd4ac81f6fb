"""`--log-format json` and `TUNEOPS_LOG_FORMAT=json` end to end: every stderr line is one
JSON object, applied actions and retries carry their fields, secrets stay masked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from tests.commands.project import TOKEN, Project, use_credentials, vertex_spec
from tuneops.emulator import EmulatorHandle

LIST = r"/tuningJobs$"


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    monkeypatch.delenv("TUNEOPS_LOG_FORMAT", raising=False)
    project = Project(tmp_path, emulator)
    project.write(vertex_spec("bot"))
    return project


def records(err: str) -> list[dict[str, object]]:
    lines = err.splitlines()
    assert lines
    parsed = [json.loads(line) for line in lines]  # every line, or this fails
    for record in parsed:
        assert {"time", "level", "event", "message"} <= set(record)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", str(record["time"]))
    return parsed


def test_apply_logs_each_action_and_each_retry(project: Project) -> None:
    project.emulator.add_fault(
        method="GET", path=LIST, kind="status", status=503, retryAfter=0, count=1
    )
    run = project.run("tuneops --log-format json apply --auto-approve")
    assert run.code == 0, run.err
    found = records(run.err)
    [retry] = [r for r in found if r["event"] == "remote.retry"]
    assert (retry["level"], retry["service"], retry["code"]) == ("warning", "vertex", "503")
    assert re.fullmatch(r"[0-9a-f]{16}", str(retry["request_id"]))
    [action] = [r for r in found if r["event"] == "apply.action"]
    job = project.lock()["bot"]["pending"]["job"]
    assert (action["spec"], action["action"], action["job"]) == ("bot", "create", job)
    assert isinstance(action["duration"], float)
    # The result itself stays on stdout, as it is without JSON logs.
    assert "created" in run.out


def test_the_environment_variable_turns_json_on(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNEOPS_LOG_FORMAT", "json")
    project.emulator.add_fault(kind="status", status=400, count=5, message="no such thing")
    run = project.run("tuneops plan")
    assert run.code == 1
    [error] = [r for r in records(run.err) if r["level"] == "error"]
    assert str(error["message"]).startswith("error: ")
    assert "no such thing" in str(error["message"])


@pytest.mark.parametrize("flag", ["", "--log-format json "])
def test_a_credential_echoed_by_the_server_is_masked_in_both_forms(
    project: Project, flag: str
) -> None:
    echo = f"denied for {TOKEN}, Authorization: Bearer {TOKEN}"
    project.emulator.add_fault(kind="status", status=403, count=5, message=echo)
    run = project.run(f"tuneops {flag}plan")
    assert run.code == 1
    assert TOKEN not in run.err + run.out
    assert "<redacted>" in run.err
    if flag:
        records(run.err)


def test_reconcile_logs_each_drift_and_prints_one_line_of_json(project: Project) -> None:
    project.run("tuneops apply --auto-approve")
    job = project.lock()["bot"]["pending"]["job"]
    url = f"{project.emulator.url}/v1/{job}:cancel"
    requests.post(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).raise_for_status()
    project.emulator.advance(5)  # the cancel takes a moment
    run = project.run("tuneops --log-format json reconcile --format json")
    assert run.code == 0, run.err
    [line] = run.out.splitlines()  # one document, one line: the pod's log stays JSON Lines
    assert json.loads(line)["drift"][0]["name"] == "bot"
    [drift] = [r for r in records(run.err) if r["event"] == "reconcile.drift"]
    assert (drift["level"], drift["spec"], drift["job"], drift["kind"]) == (
        "warning",
        "bot",
        job,
        "cancelled",
    )
