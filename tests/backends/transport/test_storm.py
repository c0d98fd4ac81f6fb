"""Surviving 429 storms: refusals use up no attempts, pacing uses up no deadline."""

from __future__ import annotations

import pytest

from tests.backends.conftest import BackendFactory, Control, options
from tests.backends.support import FakeClock, vertex_job
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.transport import errors
from tuneops.backends.transport.pacing import RateLimit
from tuneops.specs.kinds import BackendKind as Kind

LIST = "GET /v1/projects/{project}/locations/{location}/tuningJobs"
GET = "GET /v1/projects/{project}/locations/{location}/tuningJobs/{tuningJob}"
CREATE = "POST /v1/projects/{project}/locations/{location}/tuningJobs"
JOBS = r"/tuningJobs$"


def listing(vertex: Backend) -> list[str]:
    return [job.name for job in vertex.list_jobs("prod", "acme-ml", "us-central1")]


def test_429s_use_up_no_attempts_while_the_service_keeps_answering(
    make_backend: BackendFactory, control: Control
) -> None:
    vertex = make_backend(Kind.VERTEX, options=options(max_attempts=2))
    control.fault(method="POST", path=JOBS, kind="status", status=429, retryAfter=1, count=6)
    job = vertex.create(vertex_job(), "prod")
    assert listing(vertex) == [job.name]
    # No look-up: a 429 made nothing. GET: the answer read back.
    assert control.counts() == {CREATE: 7, LIST: 1, GET: 1}


def test_other_errors_still_use_up_attempts_between_429s(
    make_backend: BackendFactory, control: Control
) -> None:
    vertex = make_backend(Kind.VERTEX, options=options(max_attempts=2))
    control.fault(method="GET", path=JOBS, kind="status", status=503, retryAfter=1, count=1)
    control.fault(method="GET", path=JOBS, kind="status", status=429, retryAfter=1, count=3)
    control.fault(method="GET", path=JOBS, kind="status", status=503, retryAfter=1, count=1)
    with pytest.raises(errors.ServerError):
        listing(vertex)
    assert control.counts() == {LIST: 5}


def test_a_429_storm_is_bounded_by_the_deadline(
    make_backend: BackendFactory, control: Control, clock: FakeClock
) -> None:
    vertex = make_backend(Kind.VERTEX, options=options(max_attempts=2, deadline=30.0))
    control.fault(method="GET", path=JOBS, kind="status", status=429, retryAfter=4, count=100)
    with pytest.raises(errors.RateLimitedError):
        listing(vertex)
    assert sum(clock.sleeps) <= 30.0
    assert control.counts() == {LIST: 8}  # 7 waits of 4 s fit in 30 s


def test_waiting_for_the_pacer_does_not_use_up_the_retry_deadline(
    make_backend: BackendFactory, control: Control, clock: FakeClock
) -> None:
    slow = RateLimit(per_minute=6)  # one call every 10 s
    vertex = make_backend(Kind.VERTEX, options=options(deadline=5.0, requests_limit=slow))
    assert listing(vertex) == []  # takes the free slot
    control.fault(method="GET", path=JOBS, kind="status", status=503, retryAfter=1, count=1)
    # 10 s waiting for the pacer would have used up the 5 s deadline before the first try.
    assert listing(vertex) == []
    assert clock.sleeps == [10.0, 1.0, 9.0]
