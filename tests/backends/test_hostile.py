"""Answers a server should never give: each is caught before it is believed.

A hostile server (tests/hostile.py) sits in front of the emulator; each test
scripts what it answers, and checks what the caller sees and what the
emulator holds afterwards.
"""

from __future__ import annotations

import contextlib
import json
import time
from itertools import count
from typing import Any

import pytest
import requests

from tests.backends.conftest import BackendFactory, options
from tests.backends.support import TOKEN, gemini_job, vertex_job
from tests.hostile import HostileServer, Reply, Seen
from tuneops.backends.construction import BackendOptions, build_backend
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.shared.wire import ListingBounds
from tuneops.backends.transport import errors
from tuneops.backends.transport.http import RetryPolicy, Timeouts, TransportOptions
from tuneops.emulator import EmulatorHandle
from tuneops.errors import ConfigError
from tuneops.specs.kinds import BackendKind as Kind

JOBS = r"/v1/projects/[^/]+/locations/us-central1/tuningJobs"
ONE_JOB = JOBS + r"/\d+"


@pytest.fixture
def vertex(make_backend: BackendFactory, hostile: HostileServer) -> Backend:
    return make_backend(Kind.VERTEX, endpoint=hostile.url)


def remote_jobs(emulator: EmulatorHandle) -> list[dict[str, Any]]:
    """Every Vertex job the emulator holds, any stack."""
    answer = requests.get(
        f"{emulator.url}/v1/projects/acme-ml/locations/us-central1/tuningJobs",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    answer.raise_for_status()
    jobs: list[dict[str, Any]] = answer.json().get("tuningJobs", [])
    return jobs


def _one_attempt_within(url: str, total: float) -> Backend:
    """A Vertex client that makes one attempt per call, bounded by `total` seconds."""
    timeouts = Timeouts(connect=2.0, read=5.0, total=total)
    options = TransportOptions(timeouts=timeouts, retry=RetryPolicy(max_attempts=1))
    return build_backend(
        Kind.VERTEX,
        env={},
        endpoint=url,
        access_token=TOKEN,
        options=BackendOptions(transport=options),
    )


def test_an_endless_stream_of_fresh_page_tokens_fails_the_listing(
    make_backend: BackendFactory, hostile: HostileServer
) -> None:
    tokens = count()
    hostile.rule("GET", JOBS, lambda seen: _fresh_page(next(tokens)))
    vertex = make_backend(Kind.VERTEX, endpoint=hostile.url, options=_bounded(max_pages=25))
    with pytest.raises(errors.InvalidResponseError) as caught:
        vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert str(caught.value).endswith(
        "the listing did not end after 25 pages (the server keeps sending nextPageToken); "
        "no partial listing is used"
    )
    assert len(hostile.seen) == 25


def _fresh_page(number: int) -> Reply:
    """A page with one job not seen before (foreign: no labels) and a fresh token:
    a listing that progresses, only never ends. (A page without a new job stops
    the listing at once: tests/backends/vertex/test_untrusted_vertex.py.)"""
    job = {"name": f"projects/acme-ml/locations/us-central1/tuningJobs/{number + 1}"}
    return Reply.of(200, {"tuningJobs": [job], "nextPageToken": f"t{number}"})


def test_a_listing_of_slow_pages_stops_at_its_deadline(
    make_backend: BackendFactory, hostile: HostileServer, clock: Any
) -> None:
    tokens = count()

    def slow_page(seen: Seen) -> Reply:
        clock.advance(40.0)  # each page takes 40 s of the backend's clock
        return _fresh_page(next(tokens))

    hostile.rule("GET", JOBS, slow_page)
    vertex = make_backend(Kind.VERTEX, endpoint=hostile.url, options=_bounded(max_seconds=100))
    with pytest.raises(errors.InvalidResponseError) as caught:
        vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert str(caught.value).endswith(
        "the listing did not end within 100 s; no partial listing is used"
    )
    assert len(hostile.seen) == 3


def test_a_body_dripped_a_byte_at_a_time_hits_the_attempt_deadline(
    hostile: HostileServer,
) -> None:
    hostile.rule("GET", JOBS, lambda seen: Reply(200, b'{"tuningJobs": []}' * 10, drip=0.05))
    vertex = _one_attempt_within(hostile.url, total=0.5)
    started = time.monotonic()
    with pytest.raises(errors.ReadTimeoutError) as caught:
        vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert time.monotonic() - started < 3.0  # each byte came within the read timeout
    assert str(caught.value).endswith("the answer took longer than the deadline of 0.5 s")
    vertex.close()


def test_headers_dripped_a_byte_a_second_are_cut_at_the_attempt_deadline(
    hostile: HostileServer, emulator: EmulatorHandle
) -> None:
    hostile.rule(
        "GET", JOBS, lambda seen: Reply(200, b'{"tuningJobs": []}', drip_head=1.0), times=1
    )
    vertex = _one_attempt_within(hostile.url, total=1.5)
    started = time.monotonic()
    with pytest.raises(errors.ReadTimeoutError) as caught:
        vertex.list_jobs("prod", "acme-ml", "us-central1")
    # Every byte came within the read timeout; only the total deadline can end it.
    assert time.monotonic() - started < 4.0
    assert str(caught.value).endswith("the answer took longer than the deadline of 1.5 s")
    # The cut connection is not reused: the next call, answered promptly, succeeds.
    assert list(vertex.list_jobs("prod", "acme-ml", "us-central1")) == []
    vertex.close()


def test_a_huge_error_message_is_cut_to_one_escaped_line(
    vertex: Backend, hostile: HostileServer
) -> None:
    message = "\x1b[2J\u202eevil\nline " + "x" * 20_000_000
    hostile.rule(
        "GET", JOBS, lambda seen: Reply.of(500, {"error": {"code": 500, "message": message}})
    )
    with pytest.raises(errors.ServerError) as caught:
        vertex.list_jobs("prod", "acme-ml", "us-central1")
    text = str(caught.value)
    assert len(text) < 500
    assert "\n" not in text and "\x1b" not in text and "\u202e" not in text
    assert ": 500: \\x1b[2J\\u202eevil line xxx" in text
    # Only the head of the body is read: the message length is not known, the cut is.
    assert text.endswith("characters in all)")


def test_a_create_answered_with_an_empty_object_is_resolved_by_the_nonce(
    vertex: Backend, hostile: HostileServer, emulator: EmulatorHandle
) -> None:
    def committed_then_empty(seen: Seen) -> Reply:
        seen.forward()
        return Reply.of(200, {})

    hostile.rule("POST", JOBS, committed_then_empty, times=1)
    job = vertex.create(vertex_job(), "prod")
    assert [j["name"] for j in remote_jobs(emulator)] == [job.name]
    assert job.spec_name == "support-bot"


def test_a_create_answered_with_another_jobs_name_is_not_believed(
    vertex: Backend, hostile: HostileServer, emulator: EmulatorHandle
) -> None:
    other = vertex.create(vertex_job("other-bot"), "prod")

    def committed_then_other(seen: Seen) -> Reply:
        seen.forward()
        return Reply.of(200, {"name": other.name, "labels": dict(other.labels)})

    hostile.rule("POST", JOBS, committed_then_other, times=1)
    job = vertex.create(vertex_job(), "prod")
    assert job.name != other.name
    assert job.spec_name == "support-bot"
    assert sorted(j["name"] for j in remote_jobs(emulator)) == sorted([job.name, other.name])


def test_a_create_answered_empty_without_a_job_is_an_unknown_outcome(
    vertex: Backend, hostile: HostileServer, emulator: EmulatorHandle
) -> None:
    hostile.rule("POST", JOBS, lambda seen: Reply.of(200, {}))
    with pytest.raises(errors.CreateOutcomeUnknownError) as caught:
        vertex.create(vertex_job(), "prod")
    assert "the create answer does not name a job with this attempt's labels" in str(caught.value)
    assert "nothing was recorded" in str(caught.value)
    assert remote_jobs(emulator) == []


def test_adoption_by_nonce_checks_the_labels_when_the_server_ignores_the_filter(
    vertex: Backend, hostile: HostileServer, emulator: EmulatorHandle
) -> None:
    older = vertex.create(vertex_job("older-bot"), "prod")
    emulator.advance(60)  # so that it is the oldest job of the project

    def committed_then_503(seen: Seen) -> Reply:
        seen.forward()
        return Reply.of(503, {"error": {"code": 503, "status": "UNAVAILABLE"}})

    hostile.rule("POST", JOBS, committed_then_503, times=1)
    hostile.rule("GET", JOBS, lambda seen: seen.forward(drop_query=("filter",)))
    job = vertex.create(vertex_job(), "prod")
    assert job.name != older.name
    assert job.spec_name == "support-bot"
    assert len(remote_jobs(emulator)) == 2


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [
        ("labels", ["tuneops-stack", "prod"], "labels are not a map of strings"),
        ("state", 4, "state is not a string"),
        ("name", 42, "a tuning job without a valid name: '42'"),
    ],
)
def test_listed_items_of_the_wrong_types_fail_the_listing(
    vertex: Backend, hostile: HostileServer, field: str, value: Any, complaint: str
) -> None:
    vertex.create(vertex_job(), "prod")

    def broken(seen: Seen) -> Reply:
        data = seen.forward().data()
        data["tuningJobs"][0][field] = value
        return Reply.of(200, data)

    hostile.rule("GET", JOBS, broken)
    with pytest.raises(errors.InvalidResponseError) as caught:
        vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert str(caught.value).endswith(complaint)


def test_a_get_answered_with_another_job_is_refused(
    vertex: Backend, hostile: HostileServer
) -> None:
    mine = vertex.create(vertex_job(), "prod")
    other = vertex.create(vertex_job("other-bot"), "prod")
    hostile.rule("GET", ONE_JOB, lambda seen: Reply(200, _get_raw(seen, other.name)))
    with pytest.raises(errors.InvalidResponseError) as caught:
        vertex.get(mine.name)
    assert str(caught.value) == f"asked for {mine.name}, the service answered with {other.name}"


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:1/{project}", "http://127.0.0.1:1/{"])
def test_an_endpoint_with_other_braces_is_a_configuration_error(endpoint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build_backend(Kind.VERTEX, env={}, endpoint=endpoint, access_token=TOKEN)
    assert str(caught.value) == (
        f"the vertex endpoint {endpoint!r} has a brace: {{location}} is the only placeholder"
    )


def _get_raw(seen: Seen, name: str) -> bytes:
    answer = requests.get(
        f"{seen.upstream}/v1/{name}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    return json.dumps(answer.json()).encode()


def _bounded(max_pages: int = 2000, max_seconds: float = 600.0) -> BackendOptions:
    base = options()
    return BackendOptions(
        transport=base.transport,
        listing=ListingBounds(max_pages, max_seconds),
        requests_limit=base.requests_limit,
        submissions_limit=base.submissions_limit,
    )


@pytest.mark.gemini_tuning_available
def test_a_gemini_create_whose_model_is_not_ours_is_refused(
    make_backend: BackendFactory, hostile: HostileServer
) -> None:
    gemini = make_backend(Kind.GEMINI, endpoint=hostile.url)

    def without_marker(seen: Seen) -> Reply:
        data = seen.forward().data()
        data["description"] = "someone else's model"
        return Reply.of(200, data)

    hostile.rule("GET", r"/v1beta/tunedModels/[a-z0-9-]+", without_marker)
    with pytest.raises(errors.InvalidResponseError) as caught:
        gemini.create(gemini_job(), "prod")
    assert str(caught.value).endswith(
        "the service answers with a model that is not the one of spec 'roman-numerals' in "
        "stack 'prod'; nothing was recorded"
    )


@pytest.mark.parametrize("retry_after", ["1e308", "inf", "nan", "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_an_absurd_retry_after_cannot_stall_later_calls(
    vertex: Backend, hostile: HostileServer, clock: Any, retry_after: str
) -> None:
    def quota(seen: Seen) -> Reply:
        body = {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "slow down"}}
        return Reply(429, json.dumps(body).encode(), headers={"Retry-After": retry_after})

    hostile.rule("GET", JOBS, quota, times=1)
    with contextlib.suppress(errors.RateLimitedError):  # giving up at once is fine
        vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert vertex.list_jobs("prod", "acme-ml", "us-central1") == []
    assert sum(clock.sleeps) <= 600.0  # the call's deadline (tests/backends/conftest.py)
