"""Faults queued through the control API: statuses, latency, lost answers, drops."""

from __future__ import annotations

import time

import pytest
import requests
from google.genai import errors, types

from tests.emulator.support import (
    SDK_WARNINGS,
    TRAIN,
    EmulatorFactory,
    Http,
    job_body,
    vertex_client,
    vertex_http,
)
from tuneops.emulator import EmulatorHandle

JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"


@pytest.fixture
def api(emulator: EmulatorHandle) -> Http:
    return vertex_http(emulator.url)


def add(emulator: EmulatorHandle, **fault: object) -> None:
    Http(emulator.url).ok("POST", "/_emulator/faults", json=fault)


def count_jobs(api: Http) -> int:
    return len(api.ok("GET", JOBS).get("tuningJobs", []))


def test_429_with_retry_after_for_the_next_n_matches(emulator: EmulatorHandle, api: Http) -> None:
    add(
        emulator,
        method="POST",
        path="/tuningJobs$",
        kind="status",
        status=429,
        retryAfter=7,
        count=2,
    )
    assert api.ok("GET", JOBS) == {}  # a GET does not match
    for _ in range(2):
        response = api.call("POST", JOBS, json=job_body())
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        assert response.json() == {
            "error": {
                "code": 429,
                "message": "Resource has been exhausted (e.g. check quota).",
                "status": "RESOURCE_EXHAUSTED",
            }
        }
    assert count_jobs(api) == 0
    api.ok("POST", JOBS, json=job_body())
    assert count_jobs(api) == 1


def test_a_fault_with_a_probability_hits_that_share_of_requests(
    emulator: EmulatorHandle, api: Http
) -> None:
    add(emulator, path="/tuningJobs$", kind="status", status=429, count=10_000, probability=0.3)
    statuses = [api.call("GET", JOBS).status_code for _ in range(200)]
    assert set(statuses) == {200, 429}
    assert 35 <= statuses.count(429) <= 85  # 60 expected
    pending = Http(emulator.url).ok("GET", "/_emulator/faults")
    assert pending["faults"][0]["probability"] == 0.3
    assert pending["faults"][0]["count"] == 10_000 - statuses.count(429)


@pytest.mark.parametrize(
    ("status", "rpc", "message"),
    [
        (500, "INTERNAL", "Internal error encountered."),
        (503, "UNAVAILABLE", "The service is currently unavailable."),
    ],
)
@pytest.mark.filterwarnings(SDK_WARNINGS)
def test_server_errors_reach_the_sdk(
    emulator: EmulatorHandle, status: int, rpc: str, message: str
) -> None:
    emulator.add_fault(kind="status", status=status, method="GET")
    client = vertex_client(emulator.url)
    with pytest.raises(errors.ServerError) as raised:
        list(client.tunings.list())
    assert (raised.value.code, raised.value.status, raised.value.message) == (status, rpc, message)
    assert list(client.tunings.list()) == []


@pytest.mark.filterwarnings(SDK_WARNINGS)
def test_the_sdk_retries_through_a_503(emulator: EmulatorHandle) -> None:
    emulator.add_fault(kind="status", status=503, method="POST", count=2)
    retry = types.HttpRetryOptions(attempts=3, initial_delay=0.01, max_delay=0.02)
    retrying = vertex_client(emulator.url, retry=retry)
    job = retrying.tunings.tune(
        base_model="gemini-3.5-flash", training_dataset=types.TuningDataset(gcs_uri=TRAIN)
    )
    assert job.state == types.JobState.JOB_STATE_PENDING
    key = "POST /v1/projects/{project}/locations/{location}/tuningJobs"
    assert emulator.request_counts()[key] == 3


def test_commit_then_fail_creates_the_job_and_answers_503(
    emulator: EmulatorHandle, api: Http
) -> None:
    add(emulator, method="POST", path="tuningJobs", kind="commit-then-fail")
    response = api.call("POST", JOBS, json=job_body(labels={"tuneops-nonce": "n1"}))
    assert response.status_code == 503
    assert response.json()["error"]["status"] == "UNAVAILABLE"
    found = api.ok("GET", JOBS, params={"filter": 'labels.tuneops-nonce="n1"'})
    assert len(found["tuningJobs"]) == 1


def test_commit_then_drop_creates_the_job_and_closes_the_connection(
    emulator: EmulatorHandle, api: Http
) -> None:
    add(emulator, method="POST", kind="commit-then-fail", drop=True)
    with pytest.raises(requests.ConnectionError):
        api.call("POST", JOBS, json=job_body())
    assert count_jobs(api) == 1


def test_drop_closes_the_connection_before_doing_anything(
    emulator: EmulatorHandle, api: Http
) -> None:
    add(emulator, method="POST", kind="drop")
    with pytest.raises(requests.ConnectionError):
        api.call("POST", JOBS, json=job_body())
    assert count_jobs(api) == 0
    api.ok("POST", JOBS, json=job_body())  # the next request is served normally
    assert count_jobs(api) == 1


def test_latency_delays_matching_requests(emulator: EmulatorHandle, api: Http) -> None:
    add(emulator, kind="latency", latencyMs=300, path=r"/tuningJobs$", method="GET")
    started = time.perf_counter()
    api.ok("GET", JOBS)
    assert time.perf_counter() - started >= 0.3
    assert Http(emulator.url).ok("GET", "/_emulator/faults") == {"faults": []}


def test_configured_latency_applies_to_api_requests_only(emulator_factory: EmulatorFactory) -> None:
    handle = emulator_factory(latency_ms=200)
    started = time.perf_counter()
    Http(handle.url).ok("GET", "/_emulator/clock")
    control_time = time.perf_counter() - started
    started = time.perf_counter()
    vertex_http(handle.url).ok("GET", JOBS)
    assert time.perf_counter() - started >= 0.2
    assert control_time < 0.2


def test_pending_faults_are_listed_and_cleared(emulator: EmulatorHandle, api: Http) -> None:
    control = Http(emulator.url)
    add(emulator, kind="status", status=500, method="get", path="x", count=3)
    assert control.ok("GET", "/_emulator/faults") == {
        "faults": [{"kind": "status", "count": 3, "method": "GET", "path": "x", "status": 500}]
    }
    assert control.ok("DELETE", "/_emulator/faults") == {}
    assert control.ok("GET", "/_emulator/faults") == {"faults": []}


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            {"kind": "explode"},
            "fault kind must be one of status, latency, commit-then-fail, drop; got 'explode'.",
        ),
        (
            {"kind": "status", "status": 200},
            "fault status must be an HTTP error status (400-599); got 200.",
        ),
        ({"kind": "status", "count": 0}, "fault count must be an integer >= 1; got 0."),
        ({"kind": "latency"}, "a latency fault needs latencyMs."),
        (
            {"kind": "drop", "path": "("},
            "fault path is not a valid regular expression: missing ),"
            " unterminated subpattern at position 0.",
        ),
        ({"kind": "drop", "colour": "red"}, "Unknown fault field(s): colour."),
        (
            {"kind": "drop", "probability": 1.5},
            "fault probability must be in (0, 1]; got 1.5.",
        ),
    ],
)
def test_invalid_faults_are_400(emulator: EmulatorHandle, fault: object, message: str) -> None:
    response = Http(emulator.url).call("POST", "/_emulator/faults", json=fault)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
