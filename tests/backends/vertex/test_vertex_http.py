"""The Vertex AI backend over real HTTP against the emulator: lifecycle, listing, names."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import requests

from tests.backends.conftest import BackendFactory, Control, options
from tests.backends.support import TOKEN, gemini_job, vertex_job
from tuneops.backends.construction import build_backend
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.transport.errors import (
    FailedPreconditionError,
    InvalidRequestError,
    JobNotReadyError,
    NotFoundError,
)
from tuneops.emulator import EmulatorHandle
from tuneops.specs.kinds import BackendKind as Kind
from tuneops.specs.kinds import JobState

NUMBER = "123456789012"
PARENT = f"projects/{NUMBER}/locations/us-central1"
LIST = "GET /v1/projects/{project}/locations/{location}/tuningJobs"
CREATE = "POST /v1/projects/{project}/locations/{location}/tuningJobs"
GET = "GET /v1/projects/{project}/locations/{location}/tuningJobs/{tuningJob}"
CANCEL = "POST /v1/projects/{project}/locations/{location}/tuningJobs/{tuningJob}:cancel"


def raw_create(url: str, labels: dict[str, str], project: str = "acme-ml") -> str:
    """A job made by someone else (plain HTTP, not our backend); returns its name."""
    body: dict[str, Any] = {
        "baseModel": "gemini-3.5-flash",
        "supervisedTuningSpec": {"trainingDatasetUri": "gs://other/train.jsonl"},
        "labels": labels,
    }
    response = requests.post(
        f"{url}/v1/projects/{project}/locations/us-central1/tuningJobs",
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["name"])


def test_create_then_follow_the_job_to_success(vertex: Backend, control: Control) -> None:
    spec = vertex_job(protect=True, labels={"team": "support"})
    job = vertex.create(spec, "prod")
    assert re.fullmatch(rf"{PARENT}/tuningJobs/\d+", job.name)
    assert job.nonce is not None and re.fullmatch(r"[0-9a-f]{16}", job.nonce)
    assert (
        job.backend,
        job.spec_name,
        job.spec_hash,
        job.stack,
        job.protect,
        job.state,
        job.project,
        job.location,
        job.model,
        job.endpoint,
        job.progress,
    ) == (
        Kind.VERTEX,
        "support-bot",
        spec.spec_hash[:16],
        "prod",
        True,
        JobState.PENDING,
        "acme-ml",
        "us-central1",
        None,
        None,
        None,
    )
    assert dict(job.labels) == {
        "team": "support",
        "tuneops-stack": "prod",
        "tuneops-name": "support-bot",
        "tuneops-hash": spec.spec_hash[:16],
        "tuneops-protect": "true",
        "tuneops-nonce": job.nonce,
    }
    assert job.create_time is not None and job.create_time.tzinfo == dt.timezone.utc
    assert job.start_time is None and job.end_time is None

    control.advance(2.5)
    running = vertex.get(job.name)
    assert running.state is JobState.RUNNING
    assert running.start_time is not None and running.end_time is None

    control.advance(30)
    done = vertex.get(job.name)
    assert done.state is JobState.SUCCEEDED
    assert done.end_time is not None and done.end_time > done.start_time  # type: ignore[operator]
    assert done.model is not None and re.fullmatch(rf"{PARENT}/models/\d+@1", done.model)
    assert done.endpoint is not None and re.fullmatch(rf"{PARENT}/endpoints/\d+", done.endpoint)
    assert done.project == "acme-ml"  # learned from the create, though the name has the number
    assert control.counts() == {CREATE: 1, GET: 3}  # the create's answer read back, then 2


def test_failed_job_reports_the_service_error(vertex: Backend, control: Control) -> None:
    job = vertex.create(vertex_job(), "prod")
    control.force(job.name, "fail")
    failed = vertex.get(job.name)
    assert failed.state is JobState.FAILED
    assert failed.state.has_ended
    assert failed.error_message


def test_cancel_goes_through_cancelling_to_cancelled(vertex: Backend, control: Control) -> None:
    job = vertex.create(vertex_job(), "prod")
    vertex.cancel(job.name)
    assert vertex.get(job.name).state is JobState.CANCELLING
    control.advance(1.5)
    cancelled = vertex.get(job.name)
    assert cancelled.state is JobState.CANCELLED
    assert cancelled.end_time is not None
    assert control.counts()[CANCEL] == 1


def test_generate_through_the_endpoint_of_a_succeeded_job(
    vertex: Backend, control: Control
) -> None:
    job = vertex.create(vertex_job(), "prod")
    with pytest.raises(JobNotReadyError, match="has no endpoint yet \\(state pending\\)"):
        vertex.generate(job.name, "hello")
    control.force(job.name, "succeed")
    done = vertex.get(job.name)
    assert vertex.generate(job.name, "hello") == f"tuned answer from {done.model} to: hello"
    assert done.endpoint is not None
    assert vertex.generate(done.endpoint, "hi") == f"tuned answer from {done.model} to: hi"


def test_listing_follows_every_page(make_backend: BackendFactory, control: Control) -> None:
    vertex = make_backend(Kind.VERTEX, options=options(page_size=10))
    made = {vertex.create(vertex_job(name=f"job-{i:02d}"), "prod").name for i in range(25)}
    control.clear_counts()
    listed = vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert {job.name for job in listed} == made
    assert len(listed) == 25
    assert control.counts() == {LIST: 3}


def test_listing_keeps_only_the_stacks_well_marked_jobs(
    vertex: Backend, emulator: EmulatorHandle
) -> None:
    ours = {vertex.create(vertex_job(name=f"ours-{i}"), "prod").name for i in range(3)}
    for i in range(2):
        vertex.create(vertex_job(name=f"theirs-{i}"), "staging")
    raw_create(emulator.url, {"team": "x"})
    # Carries the stack label but not a valid identity: never ours.
    raw_create(
        emulator.url, {"tuneops-stack": "prod", "tuneops-name": "forged", "tuneops-hash": "xyz"}
    )
    listed = vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert {job.name for job in listed} == ours
    assert {job.stack for job in vertex.list_jobs("staging", "acme-ml", "us-central1")} == {
        "staging"
    }
    assert vertex.list_jobs("prod", "acme-ml", "europe-west4") == []


def test_names_with_the_project_number_map_back_to_the_project_id(
    make_backend: BackendFactory,
) -> None:
    vertex = make_backend(Kind.VERTEX)
    job = vertex.create(vertex_job(), "prod")
    assert job.name.startswith(f"projects/{NUMBER}/")
    assert job.project == "acme-ml"
    # Listing by id or by number finds the same job; the caller's spelling is kept.
    by_id = vertex.list_jobs("prod", "acme-ml", "us-central1")
    by_number = vertex.list_jobs("prod", NUMBER, "us-central1")
    assert [j.name for j in by_id] == [j.name for j in by_number] == [job.name]
    assert [j.project for j in by_id] == ["acme-ml"]
    assert [j.project for j in by_number] == [NUMBER]
    # A fresh backend that never saw the id can only report the number.
    assert make_backend(Kind.VERTEX).get(job.name).project == NUMBER


def test_unknown_job_is_not_found(vertex: Backend, control: Control) -> None:
    with pytest.raises(NotFoundError) as caught:
        vertex.get(f"{PARENT}/tuningJobs/42")
    assert caught.value.http_status == 404
    assert caught.value.rpc_status == "NOT_FOUND"
    assert control.counts() == {GET: 1}


@pytest.mark.parametrize(
    "call",
    [
        lambda b: b.list_jobs("prod", None, "us-central1"),
        lambda b: b.list_jobs("prod", "acme-ml", None),
        lambda b: b.get("tunedModels/x"),
        lambda b: b.cancel("projects/p/tuningJobs/1"),
        lambda b: b.generate("projects/p/locations/l/models/1", "x"),
        lambda b: b.create(gemini_job(), "prod"),
    ],
)
def test_malformed_calls_are_refused_before_any_request(
    vertex: Backend, control: Control, call: Any
) -> None:
    with pytest.raises(InvalidRequestError):
        call(vertex)
    assert control.counts() == {}


def test_cancelling_an_ended_job_is_a_failed_precondition(
    vertex: Backend, control: Control
) -> None:
    job = vertex.create(vertex_job(), "prod")
    control.force(job.name, "succeed")
    with pytest.raises(FailedPreconditionError, match="cannot be cancelled"):
        vertex.cancel(job.name)
    assert control.counts()[CANCEL] == 1


def test_a_cancel_whose_answer_was_lost_after_the_job_ended_counts_as_done(
    emulator_factory: Any, clock: Any
) -> None:
    emulator = emulator_factory(cancel_seconds=0.0)
    vertex = build_backend(
        Kind.VERTEX,
        env={},
        endpoint=emulator.url,
        access_token=TOKEN,
        clock=clock,
        options=options(),
    )
    job = vertex.create(vertex_job(), "prod")
    emulator.add_fault(method="POST", path=r":cancel$", kind="commit-then-fail", status=503)
    vertex.cancel(job.name)  # the retry finds the job already cancelled
    assert vertex.get(job.name).state is JobState.CANCELLED
    assert emulator.request_counts()[CANCEL] == 2
    vertex.close()


def test_requests_are_paced_by_the_injected_clock(
    make_backend: BackendFactory, control: Control, clock: Any
) -> None:
    from tuneops.backends.transport.pacing import RateLimit

    paced = options(
        requests_limit=RateLimit(per_minute=60, burst=2),
        submissions_limit=RateLimit(per_minute=20, burst=1),
    )
    vertex = make_backend(Kind.VERTEX, options=paced)
    for _ in range(4):
        vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert clock.sleeps == [1.0, 1.0]  # two at once, then one a second
    clock.sleeps.clear()
    clock.advance(60.0)
    for i in range(3):
        vertex.create(vertex_job(name=f"job-{i}"), "prod")
    # Creates take a request slot and a submission slot (one every 3 s), and their
    # read back another request slot.
    assert clock.sleeps == [1.0, 2.0, 3.0]
    assert control.counts()[LIST] == 4
