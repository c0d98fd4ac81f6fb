"""Retries over real HTTP: which faults are retried, how long we wait, what a create does.

The emulator injects the faults; the backend runs on a fake clock, so every
sleep is recorded instead of waited and the backoff can be checked exactly.
"""

from __future__ import annotations

import random

import pytest

from tests.backends.conftest import BackendFactory, Control, options
from tests.backends.support import FakeClock, vertex_job
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.transport import errors
from tuneops.backends.transport.http import RetryPolicy
from tuneops.backends.vertex import client as vertex_client
from tuneops.specs.kinds import BackendKind as Kind

PARENT = "projects/123456789012/locations/us-central1"
LIST = "GET /v1/projects/{project}/locations/{location}/tuningJobs"
CREATE = "POST /v1/projects/{project}/locations/{location}/tuningJobs"
GET = "GET /v1/projects/{project}/locations/{location}/tuningJobs/{tuningJob}"
JOBS = r"/tuningJobs$"  # the collection: list (GET) and create (POST)
ONE_JOB = r"/tuningJobs/\d+$"


def expected_backoffs(count: int) -> list[float]:
    """The sleeps the default policy draws with the fixture's seeded generator."""
    rng = random.Random(1234)
    return [RetryPolicy().backoff(n, rng) for n in range(1, count + 1)]


def listing(vertex: Backend) -> list[str]:
    return [job.name for job in vertex.list_jobs("prod", "acme-ml", "us-central1")]


def test_429_waits_exactly_the_retry_after(
    vertex: Backend, control: Control, clock: FakeClock
) -> None:
    control.fault(method="GET", path=JOBS, kind="status", status=429, retryAfter=7, count=1)
    assert listing(vertex) == []
    assert clock.sleeps == [7.0]
    assert control.counts() == {LIST: 2}


def test_429_without_retry_after_backs_off_with_jitter(
    vertex: Backend, control: Control, clock: FakeClock
) -> None:
    control.fault(method="GET", path=JOBS, kind="status", status=429, count=2)
    assert listing(vertex) == []
    assert clock.sleeps == expected_backoffs(2)
    assert control.counts() == {LIST: 3}


def test_503_burst_is_retried_with_full_jitter_backoff(
    vertex: Backend, control: Control, clock: FakeClock
) -> None:
    job = vertex.create(vertex_job(), "prod")
    control.clear_counts()
    control.fault(method="GET", path=ONE_JOB, kind="status", status=503, count=3)
    assert vertex.get(job.name).name == job.name
    assert clock.sleeps == expected_backoffs(3)
    assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, [1, 2, 4], strict=True))
    assert control.counts() == {GET: 4}


@pytest.mark.parametrize("status", [500, 502, 504])
def test_other_server_errors_are_retried(
    vertex: Backend, control: Control, clock: FakeClock, status: int
) -> None:
    control.fault(method="GET", path=JOBS, kind="status", status=status, count=1)
    assert listing(vertex) == []
    assert control.counts() == {LIST: 2}


def test_retries_stop_after_the_attempt_limit(
    vertex: Backend, control: Control, clock: FakeClock
) -> None:
    control.fault(method="GET", path=JOBS, kind="status", status=503, count=50)
    with pytest.raises(errors.ServerError) as caught:
        listing(vertex)
    assert caught.value.attempt == 5
    assert caught.value.http_status == 503
    assert caught.value.rpc_status == "UNAVAILABLE"
    assert len(clock.sleeps) == 4
    assert control.counts() == {LIST: 5}


def test_retries_stop_before_the_deadline(
    make_backend: BackendFactory, control: Control, clock: FakeClock
) -> None:
    vertex = make_backend(Kind.VERTEX, options=options(deadline=3.0))
    control.fault(method="GET", path=JOBS, kind="status", status=503, retryAfter=2, count=50)
    with pytest.raises(errors.ServerError):
        listing(vertex)
    # 2 s fit in the 3 s deadline, 2 more would not.
    assert clock.sleeps == [2.0]
    assert control.counts() == {LIST: 2}


def test_dropped_connections_are_retried(
    vertex: Backend, control: Control, clock: FakeClock
) -> None:
    control.fault(method="GET", path=JOBS, kind="drop", count=2)
    assert listing(vertex) == []
    assert len(clock.sleeps) == 2
    assert control.counts() == {LIST: 3}


def test_a_dropped_connection_that_persists_is_a_transport_error(
    vertex: Backend, control: Control
) -> None:
    control.fault(method="GET", path=JOBS, kind="drop", count=50)
    with pytest.raises(errors.ConnectionDroppedError) as caught:
        listing(vertex)
    assert caught.value.http_status is None
    assert caught.value.method == "GET"
    first_page = f"/tuningJobs?pageSize={vertex_client.PAGE_SIZE}&filter="
    assert caught.value.url is not None and first_page in caught.value.url
    assert control.counts() == {LIST: 5}


def test_read_timeouts_are_retried(make_backend: BackendFactory, control: Control) -> None:
    vertex = make_backend(Kind.VERTEX, options=options(read_timeout=0.2))
    control.fault(method="GET", path=JOBS, kind="latency", latencyMs=600, count=1)
    assert listing(vertex) == []
    assert control.counts() == {LIST: 2}


def test_a_server_that_is_not_there_is_a_connect_error(
    make_backend: BackendFactory, clock: FakeClock
) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    vertex = make_backend(Kind.VERTEX, endpoint=f"http://127.0.0.1:{port}")
    with pytest.raises(errors.ConnectError) as caught:
        listing(vertex)
    # On this machine a refusal means nothing was started there: not retried
    # (test_local_endpoint.py says what the error tells the user).
    assert not caught.value.retryable and clock.sleeps == []


@pytest.mark.parametrize(
    ("status", "cls", "rpc"),
    [
        (400, errors.InvalidArgumentError, "INVALID_ARGUMENT"),
        (403, errors.PermissionDeniedError, "PERMISSION_DENIED"),
        (404, errors.NotFoundError, "NOT_FOUND"),
    ],
)
def test_client_errors_are_not_retried(
    vertex: Backend,
    control: Control,
    clock: FakeClock,
    status: int,
    cls: type[errors.RemoteError],
    rpc: str,
) -> None:
    control.fault(method="GET", path=JOBS, kind="status", status=status, count=5)
    with pytest.raises(cls) as caught:
        listing(vertex)
    assert (caught.value.http_status, caught.value.rpc_status, caught.value.attempt) == (
        status,
        rpc,
        1,
    )
    assert clock.sleeps == []
    assert control.counts() == {LIST: 1}


def test_a_failing_later_page_fails_the_whole_listing(
    make_backend: BackendFactory, control: Control
) -> None:
    vertex = make_backend(Kind.VERTEX, options=options(page_size=2))
    for i in range(5):
        vertex.create(vertex_job(name=f"job-{i}"), "prod")
    control.clear_counts()
    # Faults are taken in order: the first page passes, every later request fails.
    control.fault(method="GET", path=JOBS, kind="latency", latencyMs=0, count=1)
    control.fault(method="GET", path=JOBS, kind="status", status=500, count=50)
    with pytest.raises(errors.ServerError):
        listing(vertex)
    assert control.counts() == {LIST: 6}


def test_invalid_request_body_is_reported_with_the_service_message(
    vertex: Backend, control: Control
) -> None:
    job = vertex_job(hyperParameters={"adapterSize": "ADAPTER_SIZE_THIRTY_TWO"})
    with pytest.raises(errors.InvalidArgumentError) as caught:
        vertex.create(job, "prod")
    assert caught.value.http_status == 400
    assert caught.value.service_message
    assert str(caught.value).startswith(
        "POST http://127.0.0.1:" + str(control.url.rsplit(":", 1)[1])
    )
    assert control.counts() == {CREATE: 1}


# Safe create -----------------------------------------------------------------


@pytest.mark.parametrize("drop", [False, True])
def test_commit_then_fail_on_create_yields_exactly_one_job(
    vertex: Backend, control: Control, drop: bool
) -> None:
    control.fault(method="POST", path=JOBS, kind="commit-then-fail", status=503, drop=drop)
    job = vertex.create(vertex_job(), "prod")
    assert listing(vertex) == [job.name]
    # One create, then one list by the attempt's nonce that found it (and ours above).
    assert control.counts() == {CREATE: 1, LIST: 2}
    assert job.nonce is not None and job.spec_name == "support-bot"


def test_commit_then_fail_on_the_last_attempt_still_adopts_the_job(
    make_backend: BackendFactory, control: Control
) -> None:
    vertex = make_backend(Kind.VERTEX, options=options(max_attempts=1))
    control.fault(method="POST", path=JOBS, kind="commit-then-fail", status=500)
    job = vertex.create(vertex_job(), "prod")
    assert listing(vertex) == [job.name]
    assert control.counts() == {CREATE: 1, LIST: 2}


def test_a_create_that_was_not_made_is_retried_with_the_same_nonce(
    vertex: Backend, control: Control
) -> None:
    control.fault(method="POST", path=JOBS, kind="status", status=503, count=2)
    job = vertex.create(vertex_job(), "prod")
    assert listing(vertex) == [job.name]
    # Each failed attempt was followed by a list by nonce that found nothing; the
    # answer of the last one was read back (docs/backends.md, Safe create).
    assert control.counts() == {CREATE: 3, LIST: 3, GET: 1}


def test_a_429_on_create_is_retried_without_looking(
    vertex: Backend, control: Control, clock: FakeClock
) -> None:
    control.fault(method="POST", path=JOBS, kind="status", status=429, retryAfter=3)
    job = vertex.create(vertex_job(), "prod")
    assert listing(vertex) == [job.name]
    assert clock.sleeps == [3.0]
    assert control.counts() == {CREATE: 2, LIST: 1, GET: 1}  # GET: the read back


def test_client_errors_on_create_are_not_retried(vertex: Backend, control: Control) -> None:
    control.fault(method="POST", path=JOBS, kind="status", status=403)
    with pytest.raises(errors.PermissionDeniedError):
        vertex.create(vertex_job(), "prod")
    assert control.counts() == {CREATE: 1}


def test_when_the_check_fails_too_the_outcome_is_reported_unknown(
    vertex: Backend, control: Control
) -> None:
    control.fault(method="POST", path=JOBS, kind="commit-then-fail", status=503)
    control.fault(method="GET", path=JOBS, kind="status", status=403)
    with pytest.raises(errors.CreateOutcomeUnknownError) as caught:
        vertex.create(vertex_job(), "prod")
    message = str(caught.value)
    assert "creating 'support-bot' failed (POST " in message
    assert "503 UNAVAILABLE" in message and "403 PERMISSION_DENIED" in message
    assert "the next plan will find such a job by its labels" in message
    assert isinstance(caught.value.__cause__, errors.ServerError)
    # The job was made; the next listing sees it.
    assert len(listing(vertex)) == 1
    assert control.counts() == {CREATE: 1, LIST: 2}
