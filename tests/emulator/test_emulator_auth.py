"""Credentials: the answers of the real front ends when they are missing."""

from __future__ import annotations

import requests

from tests.emulator.support import EmulatorFactory, job_body, model_body
from tuneops.emulator import EmulatorHandle

JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"
SEE = "See https://developers.google.com/identity/sign-in/web/devconsole-project."


def call(url: str, method: str, path: str, **kwargs: object) -> requests.Response:
    return requests.request(method, url + path, timeout=10, **kwargs)  # type: ignore[arg-type]


def test_vertex_without_a_token_is_401(emulator: EmulatorHandle) -> None:
    response = call(emulator.url, "GET", JOBS)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="https://accounts.google.com/"'
    assert response.json() == {
        "error": {
            "code": 401,
            "message": "Request is missing required authentication credential. Expected OAuth 2"
            f" access token, login cookie or other valid authentication credential. {SEE}",
            "status": "UNAUTHENTICATED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "CREDENTIALS_MISSING",
                    "domain": "googleapis.com",
                    "metadata": {"service": "aiplatform.googleapis.com"},
                }
            ],
        }
    }


def test_vertex_with_an_api_key_or_a_bad_scheme_is_401(emulator: EmulatorHandle) -> None:
    keyed = call(emulator.url, "GET", JOBS, headers={"x-goog-api-key": "k"})
    assert keyed.status_code == 401
    assert keyed.json()["error"]["message"].startswith("API keys are not supported by this API.")
    basic = call(emulator.url, "GET", JOBS, headers={"Authorization": "Basic dXNlcg=="})
    assert basic.status_code == 401
    assert basic.json()["error"]["message"] == (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login"
        f" cookie or other valid authentication credential. {SEE}"
    )
    assert call(emulator.url, "GET", JOBS, headers={"Authorization": "Bearer any"}).json() == {}


def test_nothing_is_created_without_credentials(emulator: EmulatorHandle) -> None:
    assert call(emulator.url, "POST", JOBS, json=job_body()).status_code == 401
    assert call(emulator.url, "POST", "/v1beta/tunedModels", json=model_body()).status_code == 403
    listed = call(emulator.url, "GET", JOBS, headers={"Authorization": "Bearer t"})
    assert listed.json() == {}


def test_gemini_without_a_key_is_403(emulator: EmulatorHandle) -> None:
    response = call(emulator.url, "GET", "/v1beta/tunedModels")
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": 403,
            "message": "Method doesn't allow unregistered callers (callers without established"
            " identity). Please use API Key or other form of API consumer identity to call this"
            " API.",
            "status": "PERMISSION_DENIED",
        }
    }


def test_gemini_accepts_a_header_key_a_query_key_or_a_token(emulator: EmulatorHandle) -> None:
    for kwargs in (
        {"headers": {"x-goog-api-key": "k"}},
        {"params": {"key": "k"}},
        {"headers": {"Authorization": "Bearer t"}},
    ):
        response = call(emulator.url, "GET", "/v1beta/tunedModels", **kwargs)
        assert response.status_code == 200, kwargs
    empty = call(emulator.url, "GET", "/v1beta/tunedModels", headers={"x-goog-api-key": ""})
    assert empty.status_code == 400
    assert empty.json()["error"]["message"] == "API key not valid. Please pass a valid API key."
    assert empty.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"


def test_no_auth_turns_the_checks_off(emulator_factory: EmulatorFactory) -> None:
    handle = emulator_factory(auth=False)
    assert call(handle.url, "POST", JOBS, json=job_body()).status_code == 200
    assert call(handle.url, "GET", "/v1beta/tunedModels").status_code == 200


def test_the_control_api_needs_no_credentials(emulator: EmulatorHandle) -> None:
    assert call(emulator.url, "GET", "/_emulator/clock").json() == {
        "now": "2025-01-01T00:00:00.000000Z"
    }
