"""The emulator is safe to leave running on a laptop: no CSRF, no DNS rebinding, no tracebacks."""

from __future__ import annotations

import json

import requests

from tests.emulator.support import API_KEY, Http, job_body, vertex_http
from tuneops.emulator import EmulatorConfig, EmulatorHandle, start_emulator

JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"


def _jobs(emulator: EmulatorHandle) -> int:
    return len(vertex_http(emulator.url).ok("GET", JOBS).get("tuningJobs", []))


def test_a_web_page_cannot_reset_the_emulator(emulator: EmulatorHandle) -> None:
    vertex_http(emulator.url).ok("POST", JOBS, json=job_body())
    # What a page on attacker.example can send without a preflight: a "simple" POST.
    csrf = requests.post(
        f"{emulator.url}/_emulator/reset",
        data="{}",
        headers={
            "Content-Type": "text/plain",
            "Host": "attacker.example",
            "Origin": "http://attacker.example",
        },
        timeout=10,
    )
    assert csrf.status_code == 403
    assert (
        csrf.json()["error"]["message"] == "Host 'attacker.example' is not this emulator's address."
    )
    # Same host (DNS rebinding defeated above), still not JSON: refused.
    plain = requests.post(
        f"{emulator.url}/_emulator/reset",
        data="{}",
        headers={"Content-Type": "text/plain"},
        timeout=10,
    )
    assert plain.status_code == 400
    assert plain.json()["error"]["message"] == (
        "Control requests must be sent as Content-Type: application/json."
    )
    foreign_origin = requests.post(
        f"{emulator.url}/_emulator/reset",
        json={},
        headers={"Origin": "http://attacker.example"},
        timeout=10,
    )
    assert foreign_origin.status_code == 403
    assert _jobs(emulator) == 1
    assert requests.post(f"{emulator.url}/_emulator/reset", json={}, timeout=10).ok
    assert _jobs(emulator) == 0


def test_api_requests_with_a_foreign_host_are_refused(emulator: EmulatorHandle) -> None:
    answer = requests.get(
        f"{emulator.url}{JOBS}",
        headers={"Host": f"rebind.example:{emulator.port}", "Authorization": "Bearer x"},
        timeout=10,
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["status"] == "PERMISSION_DENIED"
    local = requests.get(
        f"http://localhost:{emulator.port}{JOBS}",
        headers={"Authorization": "Bearer x"},
        timeout=10,
    )
    assert local.status_code == 200


def test_pathological_input_is_a_400_not_a_traceback(emulator: EmulatorHandle) -> None:
    api = vertex_http(emulator.url)
    nested = api.call(
        "POST",
        JOBS,
        data="[" * 100_000 + "]" * 100_000,
        headers={"Content-Type": "application/json"},
    )
    assert nested.status_code == 400
    assert nested.json()["error"]["message"] == "Invalid JSON payload received. Nested too deeply."
    control = Http(emulator.url)
    for seconds in (1e308, 1e12):
        huge = control.call("POST", "/_emulator/clock:advance", json={"seconds": seconds})
        assert huge.status_code == 400
        assert huge.json()["error"]["message"] == "seconds would move the clock past the year 9999."
    assert control.ok("GET", "/_emulator/clock") == {"now": "2025-01-01T00:00:00.000000Z"}
    endless = control.call(
        "POST",
        "/_emulator/faults",
        json={"kind": "latency", "latencyMs": 1e308, "method": "GET", "path": "/v1/"},
    )
    assert endless.status_code == 400
    assert endless.json()["error"]["message"] == (
        "fault latencyMs must be at most 86400000; got 1e+308."
    )
    assert control.ok("GET", "/_emulator/faults") == {"faults": []}


def test_the_request_log_masks_keys_and_tokens() -> None:
    lines: list[str] = []
    with start_emulator(EmulatorConfig(frozen_clock=True), request_log=lines.append) as served:
        requests.get(f"{served.url}/v1beta/tunedModels?key={API_KEY}&pageSize=5", timeout=10)
        requests.get(f"{served.url}/v1beta/tunedModels?access_token=tok-123", timeout=10)
    logged = json.dumps(lines)
    assert API_KEY not in logged and "tok-123" not in logged
    assert "key=<redacted>&pageSize=5" in logged
