"""What status shows of a job beyond its state: Gemini progress and errors, Vertex facts,
and the quota project that user credentials need on the Gemini API."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.commands.project import TOKEN, Project, gemini_spec, use_credentials, vertex_spec
from tests.commands.test_json_output import document
from tests.conftest import EmulatorFactory
from tuneops.emulator import EmulatorHandle


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _status(project: Project, name: str) -> dict[str, Any]:
    run = project.run("tuneops status --format json")
    assert run.code == 0, run.err
    rows = {row["name"]: row for row in document("status", run.out)["specs"]}
    row: dict[str, Any] = rows[name]
    return row


@pytest.mark.gemini_tuning_available
def test_a_running_gemini_job_shows_the_progress_of_its_create_operation(
    project: Project,
) -> None:
    project.write(gemini_spec("numbers", epochs=5))
    assert project.run("tuneops apply --auto-approve").code == 0
    project.emulator.advance(8)
    first = _status(project, "numbers")
    project.emulator.advance(8)
    second = _status(project, "numbers")

    assert first["pendingState"] == second["pendingState"] == "running"
    assert 0 < first["progressPercent"] < second["progressPercent"] < 100
    assert second["progress"] == f"{second['progressPercent']:.0f}%"


@pytest.mark.gemini_tuning_available
def test_a_failed_gemini_job_shows_the_error_of_its_operation(project: Project) -> None:
    project.write(gemini_spec("numbers"))
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(5)
    project.emulator.force(project.lock()["numbers"]["pending"]["job"], "fail")

    row = _status(project, "numbers")
    text = project.run("tuneops status").out.splitlines()

    assert (row["health"], row["pendingState"]) == ("degraded", "failed")
    assert (row["error"], row["errorCode"]) == ("Tuning failed with an internal error.", 13)
    assert "  error: Tuning failed with an internal error. (code 13)" in text


def test_status_shows_model_data_statistics_times_and_experiment(project: Project) -> None:
    project.write(vertex_spec("bot"))
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(60)
    project.run("tuneops apply --auto-approve")  # promotes it
    job = project.remote()[0]

    row = _status(project, "bot")
    text = project.run("tuneops status bot").out.splitlines()

    stats = job["tuningDataStats"]["supervisedTuningDataStats"]
    count, tokens = int(stats["tuningDatasetExampleCount"]), int(stats["totalBillableTokenCount"])
    assert row["model"] == job["tunedModel"]["model"]
    assert row["tuningDataStats"] == {"exampleCount": count, "billableTokens": tokens}
    assert row["experiment"] == job["experiment"]
    times = ("createTime", "startTime", "endTime", "updateTime")
    assert [_instant(row[key]) for key in times] == [_instant(job[key]) for key in times]
    assert row["errorCode"] is None
    assert text[2:5] == [
        f"  model: {job['tunedModel']['model']}",
        f"  training data: {count:,} examples, {tokens:,} billable tokens "
        f"(estimated {row['estimatedTokens']:,})",
        f"  experiment: {job['experiment']}",
    ]


def test_a_vertex_error_shows_its_code(project: Project) -> None:
    project.write(vertex_spec("bot"))
    project.run("tuneops apply --auto-approve")
    project.emulator.advance(5)
    project.emulator.force(project.lock()["bot"]["pending"]["job"], "fail")
    assert _status(project, "bot")["errorCode"] == 13


@pytest.fixture
def strict(
    tmp_path: Path, emulator_factory: EmulatorFactory, monkeypatch: pytest.MonkeyPatch
) -> Project:
    """A project whose Gemini API takes bearer tokens as user credentials."""
    use_credentials(monkeypatch)
    monkeypatch.delenv("GEMINI_API_KEY")
    monkeypatch.delenv("GOOGLE_CLOUD_QUOTA_PROJECT", raising=False)
    project = Project(tmp_path, emulator_factory(require_quota_project=True))
    project.write(gemini_spec("numbers"))
    return project


def test_user_credentials_without_a_quota_project_are_refused(strict: Project) -> None:
    run = strict.run("tuneops plan")
    assert run.code == 1
    assert "requires a quota project" in run.err
    assert TOKEN not in run.err + run.out


@pytest.mark.gemini_tuning_available
def test_the_quota_project_from_tuneops_yaml_goes_with_a_token(strict: Project) -> None:
    strict.configure(gemini={"endpoint": strict.emulator.url, "quotaProject": "acme-ml"})
    run = strict.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    assert strict.lock()["numbers"]["pending"]["state"] == "running"


def test_the_quota_project_from_the_environment_goes_with_a_token(
    strict: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_QUOTA_PROJECT", "acme-ml")
    run = strict.run("tuneops plan --detailed-exitcode")
    assert run.code == 2, run.err


@pytest.mark.gemini_tuning_available
def test_wait_shows_the_progress_of_a_gemini_job(project: Project) -> None:
    project.write(gemini_spec("numbers", epochs=5))
    project.run("tuneops apply --auto-approve")
    seen = []
    for _ in range(2):
        project.emulator.advance(8)
        run = project.run("tuneops wait --timeout 0.001 --format json")
        assert run.code == 124, run.err
        (job,) = json.loads(run.out)["jobs"]
        seen.append(job["progress"])
    assert 0 < seen[0] < seen[1] < 100
