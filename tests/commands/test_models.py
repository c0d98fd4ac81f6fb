"""`tuneops models`, and what the model catalogue puts in validate, plan and status.

The cases of issue 18 as a new user met them: a model Google never made
validated silently and planned with "no price"; a model shutting down gave no
warning anywhere.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.commands.project import Project, local_vertex_spec, staging_project
from tests.commands.test_json_output import document
from tests.helpers import tuneops
from tuneops.catalogue import shipped_catalogue
from tuneops.emulator import EmulatorHandle

REPO = Path(__file__).resolve().parents[2]
TODAY = date.today()


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    made = staging_project(tmp_path, emulator, monkeypatch)
    (tmp_path / "data").mkdir()
    shutil.copy(REPO / "data" / "support-train.jsonl", tmp_path / "data" / "train.jsonl")
    return made


def test_models_json_lists_each_model_with_its_status_and_source() -> None:
    run = tuneops("tuneops models --format json --as-of 2026-12-06")
    assert run.code == 0, run.err
    listed = document("models", run.out)
    assert listed["catalogueReadOn"] == "2026-12-06"
    by_id = {model["id"]: model for model in listed["models"]}
    assert by_id["gemini-3.5-flash"] == {
        "id": "gemini-3.5-flash",
        "backends": ["vertex"],
        "methods": ["supervised"],
        "status": "available",
        "shutdown": "2027-05-19",
        "successor": None,
        "adapterSizes": [1, 2, 4, 8, 16],
        "trainingPricePerMillionTokens": 10.0,
        "source": "https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/model-versions",
        "readOn": "2026-12-06",
    }
    assert by_id["gemini-2.5-pro"]["status"] == "retired"
    assert by_id["gemini-2.5-pro"]["successor"] == "gemini-3.5-flash"
    assert by_id["gemini-1.5-flash-001-tuning"]["backends"] == ["gemini"]
    # Sixty days before its last tuning day a model turns deprecated.
    later = json.loads(tuneops("tuneops models --format json --as-of 2027-04-01").out)
    assert {m["id"]: m["status"] for m in later["models"]}["gemini-3.5-flash"] == "deprecated"


def test_models_refuses_a_date_it_cannot_read() -> None:
    run = tuneops("tuneops models --as-of tomorrow")
    assert (run.code, run.err) == (
        1,
        "error: --as-of tomorrow: not a date of the form YYYY-MM-DD\n",
    )


def test_an_unknown_model_is_a_warning_with_an_unknown_cost_that_maxcost_refuses(
    project: Project,
) -> None:
    project.configure(guards={"maxCost": 100})
    project.write(local_vertex_spec(baseModel="gemini-9-ultra"))
    validated = project.run("tuneops validate")
    assert validated.code == 0, validated.err
    assert (
        ": warning: $.spec.baseModel: gemini-9-ultra is not in tuneops' model catalogue (read "
        in (validated.out)
    )
    plan = document("plan", project.run("tuneops plan --format json").out)
    assert plan["actions"][0]["cost"]["pricePerMillionTokens"] is None
    assert plan["actions"][0]["blocked"].startswith(
        "1 new jobs have no price in the model catalogue"
    )
    [notice] = plan["modelNotices"]
    assert (notice["code"], notice["spec"], notice["baseModel"]) == (
        "model-unknown",
        "bot",
        "gemini-9-ultra",
    )
    text = project.run("tuneops plan")
    assert text.code == 3
    assert "warning: bot: gemini-9-ultra is not in the model catalogue (read " in text.out
    # A price given in tuneops.yaml lets the guard hold the cost again.
    project.configure(
        guards={"maxCost": 100},
        catalogue={
            "models": [
                {
                    "id": "gemini-9-ultra",
                    "backends": {"vertex": {"price": {"trainingPerMillionTokens": 1.0}}},
                }
            ]
        },
    )
    assert project.run("tuneops plan").code == 0


def test_a_retired_model_stops_validate_and_plan_before_any_remote_call(
    project: Project, emulator: EmulatorHandle
) -> None:
    project.write(local_vertex_spec(baseModel="gemini-2.5-flash"))
    emulator.clear_request_counts()
    run = project.run("tuneops plan")
    assert run.code == 1
    assert (
        "$.spec.baseModel: gemini-2.5-flash can no longer be tuned on Vertex AI (the last day "
        "was 2026-10-19); use gemini-3.5-flash-lite ("
    ) in run.err
    assert emulator.request_counts() == {}


def _shutting_down(days: int) -> dict[str, object]:
    """tuneops.yaml's catalogue: the recommended model shuts down in `days` days."""
    day = (TODAY + timedelta(days=days)).isoformat()
    model = shipped_catalogue().recommended["vertex"]
    return {"models": [{"id": model, "backends": {"vertex": {"lifecycle": {"shutdown": day}}}}]}


def test_a_live_endpoint_on_a_model_shutting_down_is_named_in_plan_and_status(
    project: Project, emulator: EmulatorHandle
) -> None:
    project.write(local_vertex_spec())
    assert project.run("tuneops apply --auto-approve").code == 0
    [job] = [entry["name"] for entry in project.remote()]
    emulator.force(job, "succeed")
    assert project.run("tuneops apply --auto-approve").code == 0  # promotes it
    project.configure(catalogue=_shutting_down(30))
    status = project.run("tuneops status --format json")
    assert status.code == 0, status.err
    codes = {(n["code"], n["subject"]) for n in document("status", status.out)["modelNotices"]}
    assert codes == {("model-tuning-ends", "spec"), ("model-shutdown-soon", "endpoint")}
    table = project.run("tuneops status").out
    day = (TODAY + timedelta(days=30)).isoformat()
    assert f"shuts down on Vertex AI on {day}; the live endpoint {job} built on it" in table
    markdown = project.run("tuneops plan --format markdown").out
    assert "**Model catalogue**:" in markdown and f"the live endpoint {job}" in markdown
    check = project.run("tuneops models --check --format json")
    assert (check.code, document("models", check.out)["past"]) == (0, 0)


def test_models_check_fails_when_a_spec_or_endpoint_is_past_shutdown(project: Project) -> None:
    project.write(local_vertex_spec(baseModel="gemini-2.0-flash"))
    run = project.run("tuneops models --check")
    assert run.code == 1
    assert run.out.startswith(
        "error: bot: gemini-2.0-flash can no longer be tuned on Vertex AI (the last day was "
        "2026-05-31); move to gemini-3.1-flash-lite ("
    )
    found = document("models", project.run("tuneops models --check --format json").out)
    assert found["past"] == 1
    assert found["findings"][0]["code"] == "model-retired"


def test_a_replace_the_service_refuses_leaves_the_job_in_flight_running(
    project: Project,
) -> None:
    # Issue 18, as a new user met it: an unknown model planned as an ordinary
    # replace, cancelled the good pending job, then "succeeded" on the emulator.
    project.write(local_vertex_spec())
    assert project.run("tuneops apply --auto-approve").code == 0
    [good] = project.remote()
    project.write(local_vertex_spec(baseModel="gemini-9-ultra"))
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 1
    assert "400 INVALID_ARGUMENT: Base model gemini-9-ultra is not supported for tuning." in run.out
    [still] = project.remote()
    assert (still["name"], still["state"]) == (good["name"], good["state"])
    assert still["state"] in ("JOB_STATE_PENDING", "JOB_STATE_RUNNING")
    assert project.lock()["bot"]["pending"]["job"] == good["name"]
