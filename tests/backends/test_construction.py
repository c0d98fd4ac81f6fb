"""Construction: which credential and endpoint each client gets, missing credentials,
and how the credentials it builds refresh.

Nothing here talks HTTP; the refresh-on-401 path is tested against the emulator.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backends.support import API_KEY, TOKEN, CountingCredentials, FakeClock
from tuneops.backends.construction import (
    build_auth,
    build_backend,
    resolve_endpoint,
    resolve_quota_project,
)
from tuneops.backends.transport.auth import ApiKey, GoogleCredentials, StaticToken
from tuneops.backends.transport.errors import CredentialsError
from tuneops.errors import ConfigError
from tuneops.specs.kinds import BackendKind as Kind

# Not a loopback address (a stopped local emulator has an error of its own), and
# never connected to: credentials are resolved before any request.
REMOTE = "https://tuning.example.test"


@pytest.fixture
def no_adc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Application Default Credentials anywhere, and no metadata server probe."""
    import google.auth.compute_engine._metadata as metadata

    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setattr(metadata, "_NO_GCE_CHECK", True)


def test_static_token_from_the_environment() -> None:
    auth = build_auth(Kind.VERTEX, {"TUNEOPS_ACCESS_TOKEN": TOKEN}, FakeClock())
    assert isinstance(auth, StaticToken)
    assert auth.headers() == {"Authorization": f"Bearer {TOKEN}"}
    assert auth.description == "access token from TUNEOPS_ACCESS_TOKEN"


@pytest.mark.parametrize("variable", ["GEMINI_API_KEY", "GOOGLE_API_KEY"])
def test_gemini_key_from_the_environment_travels_only_as_a_header(variable: str) -> None:
    env = {variable: API_KEY, "TUNEOPS_ACCESS_TOKEN": TOKEN}
    auth = build_auth(Kind.GEMINI, env, FakeClock())
    assert isinstance(auth, ApiKey)
    assert auth.headers() == {"x-goog-api-key": API_KEY}
    assert auth.description == f"API key from {variable}"


def test_gemini_key_wins_over_the_older_variable() -> None:
    auth = build_auth(
        Kind.GEMINI, {"GEMINI_API_KEY": "k-first-1", "GOOGLE_API_KEY": "k-2nd"}, FakeClock()
    )
    assert auth.headers() == {"x-goog-api-key": "k-first-1"}


def test_vertex_ignores_api_keys() -> None:
    auth = build_auth(
        Kind.VERTEX, {"GEMINI_API_KEY": API_KEY, "TUNEOPS_ACCESS_TOKEN": TOKEN}, FakeClock()
    )
    assert auth.headers() == {"Authorization": f"Bearer {TOKEN}"}


def test_explicit_arguments_win_over_the_environment() -> None:
    clock = FakeClock()
    env = {"TUNEOPS_ACCESS_TOKEN": "env-token-123", "GEMINI_API_KEY": "env-key-123"}
    assert build_auth(Kind.VERTEX, env, clock, access_token=TOKEN).headers() == {
        "Authorization": f"Bearer {TOKEN}"
    }
    assert build_auth(Kind.GEMINI, env, clock, api_key=API_KEY).headers() == {
        "x-goog-api-key": API_KEY
    }
    creds = CountingCredentials(clock)
    auth = build_auth(Kind.VERTEX, env, clock, credentials=creds)
    assert isinstance(auth, GoogleCredentials)
    assert auth.headers() == {"Authorization": f"Bearer {TOKEN}-0"}


def test_missing_credential_for_vertex_says_how_to_provide_one(no_adc: None) -> None:
    with pytest.raises(CredentialsError) as caught:
        build_backend(Kind.VERTEX, env={}, endpoint=REMOTE)
    message = str(caught.value)
    assert message.startswith("no credentials found (Your default credentials were not found.")
    assert message.endswith(
        "to call Vertex AI, run `gcloud auth application-default login`, set "
        "GOOGLE_APPLICATION_CREDENTIALS to a service-account or workload-identity file, "
        "or set TUNEOPS_ACCESS_TOKEN"
    )


def test_missing_credential_for_gemini_names_the_key_variables(no_adc: None) -> None:
    with pytest.raises(CredentialsError) as caught:
        build_backend(Kind.GEMINI, env={}, endpoint=REMOTE)
    assert str(caught.value).endswith(
        "to call the Gemini API, set GEMINI_API_KEY (or GOOGLE_API_KEY), "
        "or set TUNEOPS_ACCESS_TOKEN, or run `gcloud auth application-default login`"
    )


def test_unreadable_credentials_file_is_a_credentials_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    with pytest.raises(CredentialsError, match=r"missing\.json was not found"):
        build_backend(Kind.VERTEX, env={}, endpoint=REMOTE)


def test_adc_token_is_refreshed_shortly_before_it_expires() -> None:
    clock = FakeClock()
    creds = CountingCredentials(clock, lifetime=3600.0)
    auth = GoogleCredentials(creds, clock, refresh_margin=300.0)
    assert auth.headers()["Authorization"] == f"Bearer {TOKEN}-0"
    clock.advance(3299.0)
    assert auth.headers()["Authorization"] == f"Bearer {TOKEN}-0"
    assert creds.refreshes == 0
    clock.advance(1.0)  # now 300 s before expiry
    assert auth.headers()["Authorization"] == f"Bearer {TOKEN}-1"
    assert creds.refreshes == 1


def test_adc_without_a_token_is_refreshed_before_the_first_request() -> None:
    clock = FakeClock()
    creds = CountingCredentials(clock, initial=False)
    auth = GoogleCredentials(creds, clock)
    assert auth.headers()["Authorization"] == f"Bearer {TOKEN}-1"
    assert creds.refreshes == 1


def test_a_401_on_a_token_already_replaced_does_not_refresh_again() -> None:
    clock = FakeClock()
    creds = CountingCredentials(clock)
    auth = GoogleCredentials(creds, clock)
    stale = dict(auth.headers())
    assert auth.refresh_after_unauthorized(stale) is True
    assert creds.refreshes == 1
    # A second thread reports the same stale token: the new one is already there.
    assert auth.refresh_after_unauthorized(stale) is True
    assert creds.refreshes == 1


def test_quota_project_is_sent_for_user_credentials() -> None:
    clock = FakeClock()
    creds = CountingCredentials(clock)
    creds._quota_project_id = "billing-proj"
    assert GoogleCredentials(creds, clock).headers() == {
        "Authorization": f"Bearer {TOKEN}-0",
        "x-goog-user-project": "billing-proj",
    }


def test_reprs_show_where_a_credential_came_from_but_never_the_secret() -> None:
    clock = FakeClock()
    texts = [
        repr(StaticToken(TOKEN, "TUNEOPS_ACCESS_TOKEN")),
        repr(ApiKey(API_KEY, "GEMINI_API_KEY")),
        repr(GoogleCredentials(CountingCredentials(clock), clock)),
        repr(build_backend(Kind.GEMINI, env={}, api_key=API_KEY, endpoint="http://127.0.0.1:9")),
    ]
    assert texts == [
        "StaticToken('access token from TUNEOPS_ACCESS_TOKEN')",
        "ApiKey('API key from GEMINI_API_KEY')",
        "GoogleCredentials('Application Default Credentials')",
        "GeminiBackend('http://127.0.0.1:9')",
    ]


def test_endpoint_environment_over_settings_over_default() -> None:
    env = {"TUNEOPS_VERTEX_ENDPOINT": "http://127.0.0.1:3/", "TUNEOPS_GEMINI_ENDPOINT": ""}
    assert resolve_endpoint(Kind.VERTEX, "http://vertex.local:1/", env) == "http://127.0.0.1:3"
    assert resolve_endpoint(Kind.GEMINI, "http://gemini.local:2", env) == "http://gemini.local:2"
    assert resolve_endpoint(Kind.VERTEX, None, {}) == "https://{location}-aiplatform.googleapis.com"
    assert resolve_endpoint(Kind.GEMINI, None, {}) == "https://generativelanguage.googleapis.com"


def test_embedded_endpoint_must_be_resolved_by_the_caller() -> None:
    with pytest.raises(ConfigError, match="start the embedded emulator and pass its URL"):
        resolve_endpoint(Kind.VERTEX, "embedded", {})


def test_quota_project_settings_over_environment() -> None:
    env = {"GOOGLE_CLOUD_QUOTA_PROJECT": "from-env"}
    assert resolve_quota_project("billed", env) == "billed"
    assert resolve_quota_project(None, env) == "from-env"
    assert resolve_quota_project(None, {}) is None


@pytest.mark.parametrize(
    "url", ["ftp://h", "127.0.0.1:8080", "http://h/?key=abcdef", "http://u:p@h", "http://h/#x"]
)
def test_endpoints_must_be_plain_http_urls(url: str) -> None:
    with pytest.raises(ConfigError, match="the vertex endpoint"):
        resolve_endpoint(Kind.VERTEX, None, {"TUNEOPS_VERTEX_ENDPOINT": url})


def test_vertex_delete_is_refused_clearly() -> None:
    from tuneops.backends.transport.errors import UnsupportedOperationError

    backend = build_backend(Kind.VERTEX, env={}, access_token=TOKEN, endpoint="http://127.0.0.1:9")
    assert backend.capabilities.delete is False
    with pytest.raises(UnsupportedOperationError) as caught:
        backend.delete("projects/p/locations/l/tuningJobs/1")
    assert str(caught.value) == (
        "cannot delete projects/p/locations/l/tuningJobs/1: Vertex AI tuning jobs cannot be "
        "deleted, only cancelled"
    )
