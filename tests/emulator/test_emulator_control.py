"""The control API under /_emulator/: clock, forced outcomes, reset, request counts."""

from __future__ import annotations

import pytest

from tests.conftest import EmulatorFactory
from tests.emulator.support import Http, gemini_http, job_body, model_body, vertex_http
from tuneops.emulator import EmulatorHandle

JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"


@pytest.fixture
def control(emulator: EmulatorHandle) -> Http:
    return Http(emulator.url)


def test_the_clock_moves_only_when_advanced(control: Http) -> None:
    assert control.ok("GET", "/_emulator/clock") == {"now": "2025-01-01T00:00:00.000000Z"}
    moved = control.ok("POST", "/_emulator/clock:advance", json={"seconds": 90.5})
    assert moved == {"now": "2025-01-01T00:01:30.500000Z"}
    assert control.ok("GET", "/_emulator/clock") == moved
    for body in ({"seconds": -1}, {"seconds": "10"}, {}):
        response = control.call("POST", "/_emulator/clock:advance", json=body)
        assert response.status_code == 400, body
        assert response.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_force_succeed_fail_and_stall(emulator: EmulatorHandle, control: Http) -> None:
    api = vertex_http(emulator.url)
    names = [api.ok("POST", JOBS, json=job_body())["name"] for _ in range(3)]
    forced = control.ok(
        "POST", "/_emulator/jobs:force", json={"name": names[0], "outcome": "succeed"}
    )
    assert forced["state"] == "JOB_STATE_SUCCEEDED"
    assert forced["startTime"] == forced["endTime"] == forced["updateTime"]
    # The job name may use the project id, as clients do.
    by_id = names[1].replace("123456789012", "acme-ml")
    failed = control.ok("POST", "/_emulator/jobs:force", json={"name": by_id, "outcome": "fail"})
    assert failed["state"] == "JOB_STATE_FAILED"

    stalled = control.ok(
        "POST", "/_emulator/jobs:force", json={"name": names[2], "outcome": "stall"}
    )
    assert stalled["state"] == "JOB_STATE_RUNNING"
    emulator.advance(10_000)
    assert api.ok("GET", f"/v1/{names[2]}")["state"] == "JOB_STATE_RUNNING"
    again = control.ok(
        "POST", "/_emulator/jobs:force", json={"name": names[2], "outcome": "succeed"}
    )
    assert again["state"] == "JOB_STATE_SUCCEEDED"
    assert again["endTime"] == "2025-01-01T02:46:40.000000Z"

    ended = control.call(
        "POST", "/_emulator/jobs:force", json={"name": names[0], "outcome": "fail"}
    )
    assert ended.status_code == 400
    assert ended.json()["error"] == {
        "code": 400,
        "message": f"{names[0]} is in state JOB_STATE_SUCCEEDED; it cannot be forced.",
        "status": "FAILED_PRECONDITION",
    }


@pytest.mark.gemini_tuning_available
def test_force_a_gemini_model_to_stall(emulator: EmulatorHandle, control: Http) -> None:
    api = gemini_http(emulator.url)
    name = api.ok("POST", "/v1beta/tunedModels", json=model_body())["metadata"]["tunedModel"]
    assert emulator.force(name, "stall")["state"] == "CREATING"
    emulator.advance(1000)
    model = api.ok("GET", f"/v1beta/{name}")
    assert model["state"] == "CREATING"
    assert len(model["tuningTask"]["snapshots"]) == 7  # never the last of 8 steps while stalled


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"name": "projects/1/locations/l/tuningJobs/9", "outcome": "succeed"},
            404,
            "No job or tuned model named projects/1/locations/l/tuningJobs/9.",
        ),
        (
            {"name": "tunedModels/x", "outcome": "explode"},
            400,
            "outcome must be succeed, fail or stall; got 'explode'.",
        ),
        (
            {"name": "models/x", "outcome": "fail"},
            400,
            "'models/x' is neither a tuning job nor a tuned model name.",
        ),
    ],
)
def test_force_errors(control: Http, body: object, status: int, message: str) -> None:
    response = control.call("POST", "/_emulator/jobs:force", json=body)
    assert response.status_code == status
    assert response.json()["error"]["message"] == message


@pytest.mark.gemini_tuning_available
def test_request_counts_by_route_template(emulator: EmulatorHandle, control: Http) -> None:
    vertex, gemini = vertex_http(emulator.url), gemini_http(emulator.url)
    name = vertex.ok("POST", JOBS, json=job_body())["name"]
    vertex.ok("GET", f"/v1/{name}")
    vertex.ok("GET", f"/v1beta1/{name}")
    vertex.ok("GET", JOBS)
    vertex.ok("GET", JOBS)
    gemini.ok("POST", "/v1beta/tunedModels", json=model_body())
    vertex.call("GET", "/nowhere")
    control.ok("GET", "/_emulator/clock")
    assert control.ok("GET", "/_emulator/requests") == {
        "counts": {
            "GET /v1/projects/{project}/locations/{location}/tuningJobs": 2,
            "GET /v1/projects/{project}/locations/{location}/tuningJobs/{tuningJob}": 1,
            "GET /v1beta1/projects/{project}/locations/{location}/tuningJobs/{tuningJob}": 1,
            "POST /v1/projects/{project}/locations/{location}/tuningJobs": 1,
            "POST /v1beta/tunedModels": 1,
        }
    }
    assert control.ok("DELETE", "/_emulator/requests") == {}
    assert control.ok("GET", "/_emulator/requests") == {"counts": {}}


def test_reset_forgets_everything(emulator: EmulatorHandle, control: Http) -> None:
    api = vertex_http(emulator.url)
    api.ok("POST", JOBS, json=job_body())
    emulator.advance(60)
    emulator.add_fault(kind="status", status=500, path="nowhere")
    control.ok("POST", "/_emulator/reset", json={})
    assert api.ok("GET", JOBS) == {}
    assert control.ok("GET", "/_emulator/clock") == {"now": "2025-01-01T00:00:00.000000Z"}
    assert control.ok("GET", "/_emulator/faults") == {"faults": []}
    assert control.ok("GET", "/_emulator/requests") == {
        "counts": {"GET /v1/projects/{project}/locations/{location}/tuningJobs": 1}
    }
    assert control.ok("GET", "/_emulator/projects") == {"projects": {"acme-ml": "123456789012"}}


def test_the_concurrent_jobs_limit_is_set_at_run_time_and_reset(control: Http) -> None:
    assert control.ok("GET", "/_emulator/limits") == {"maxConcurrentJobs": None}
    assert control.ok("POST", "/_emulator/limits", json={"maxConcurrentJobs": 3}) == {
        "maxConcurrentJobs": 3
    }
    for body in ({"maxConcurrentJobs": 0}, {"maxConcurrentJobs": "2"}, {}, {"max": 1}):
        response = control.call("POST", "/_emulator/limits", json=body)
        assert response.status_code == 400, body
    assert control.ok("GET", "/_emulator/limits") == {"maxConcurrentJobs": 3}
    control.ok("POST", "/_emulator/reset", json={})
    assert control.ok("GET", "/_emulator/limits") == {"maxConcurrentJobs": None}


@pytest.mark.gemini_tuning_available
def test_a_limit_from_the_settings_holds_for_gemini_models_not_at_all(
    emulator_factory: EmulatorFactory,
) -> None:
    emulator = emulator_factory(max_concurrent_jobs=1)
    vertex, gemini = vertex_http(emulator.url), gemini_http(emulator.url)
    vertex.ok("POST", JOBS, json=job_body())
    assert vertex.call("POST", JOBS, json=job_body()).status_code == 429
    # The Gemini API's tuned models have no documented concurrency quota.
    gemini.ok("POST", "/v1beta/tunedModels", json=model_body())
    gemini.ok("POST", "/v1beta/tunedModels", json=model_body())
