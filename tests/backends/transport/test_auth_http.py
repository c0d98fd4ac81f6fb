"""Credentials on the wire: refresh after a 401, static tokens, and keys only in headers."""

from __future__ import annotations

import random

import pytest

from tests.backends.conftest import BackendFactory, Control, options
from tests.backends.support import API_KEY, TOKEN, CountingCredentials, FakeClock, gemini_job
from tuneops.backends.construction import build_backend
from tuneops.backends.transport import errors
from tuneops.emulator import EmulatorConfig, start_emulator
from tuneops.specs.kinds import BackendKind as Kind

LIST = "GET /v1/projects/{project}/locations/{location}/tuningJobs"
JOBS = r"/tuningJobs$"


def test_a_401_refreshes_the_credentials_once_and_retries(
    make_backend: BackendFactory, control: Control, clock: FakeClock
) -> None:
    creds = CountingCredentials(clock)
    vertex = make_backend(Kind.VERTEX, access_token=None, credentials=creds)
    assert vertex.list_jobs("prod", "acme-ml", "us-central1") == []
    assert creds.refreshes == 0
    control.fault(method="GET", path=JOBS, kind="status", status=401, count=1)
    assert vertex.list_jobs("prod", "acme-ml", "us-central1") == []
    assert creds.refreshes == 1
    assert clock.sleeps == []  # a refresh is not a backoff
    assert control.counts() == {LIST: 3}


def test_a_second_401_after_the_refresh_is_an_error(
    make_backend: BackendFactory, control: Control, clock: FakeClock
) -> None:
    creds = CountingCredentials(clock)
    vertex = make_backend(Kind.VERTEX, access_token=None, credentials=creds)
    control.fault(method="GET", path=JOBS, kind="status", status=401, count=5)
    with pytest.raises(errors.UnauthenticatedError) as caught:
        vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert caught.value.http_status == 401
    assert creds.refreshes == 1
    assert control.counts() == {LIST: 2}


def test_expiring_credentials_are_refreshed_before_the_request(
    make_backend: BackendFactory, control: Control, clock: FakeClock
) -> None:
    creds = CountingCredentials(clock, lifetime=600.0)
    vertex = make_backend(Kind.VERTEX, access_token=None, credentials=creds)
    vertex.list_jobs("prod", "acme-ml", "us-central1")
    clock.advance(301.0)  # less than 300 s of validity left
    vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert creds.refreshes == 1
    assert control.counts() == {LIST: 2}


def test_a_static_token_is_not_retried_after_a_401(vertex: object, control: Control) -> None:
    control.fault(method="GET", path=JOBS, kind="status", status=401, count=1)
    with pytest.raises(errors.UnauthenticatedError):
        vertex.list_jobs("prod", "acme-ml", "us-central1")  # type: ignore[attr-defined]
    assert control.counts() == {LIST: 1}


def test_vertex_without_a_bearer_token_is_refused_by_the_service(
    make_backend: BackendFactory, control: Control
) -> None:
    # An API key is not a Vertex credential: the service answers 401 and a key
    # cannot be renewed, so the error surfaces after one request.
    from tuneops.backends.transport.auth import ApiKey
    from tuneops.backends.transport.http import Transport
    from tuneops.backends.vertex.client import VertexBackend

    clock = FakeClock()
    transport = Transport(ApiKey(API_KEY, "test"), clock)
    vertex = VertexBackend(transport, clock, endpoint=control.url)
    with pytest.raises(errors.UnauthenticatedError) as caught:
        vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert "API keys are not supported by this API" in str(caught.value)
    vertex.close()


def test_the_gemini_key_never_appears_in_a_url() -> None:
    lines: list[str] = []
    config = EmulatorConfig(frozen_clock=True, gemini_tuning="available")
    with start_emulator(config, request_log=lines.append) as emu:
        gemini = build_backend(
            Kind.GEMINI,
            env={},
            endpoint=emu.url,
            api_key=API_KEY,
            clock=FakeClock(),
            rng=random.Random(0),
            options=options(),
        )
        job = gemini.create(gemini_job(), "prod")
        gemini.get(job.name)
        gemini.list_jobs("prod", None, None)
        gemini.delete(job.name)
        gemini.close()
    assert len(lines) >= 5
    assert not any(API_KEY in line or "key=" in line for line in lines)
    assert not any(TOKEN in line for line in lines)
