"""The emulator's concurrent-jobs limit over real HTTP: a quota refusal is raised at
once (never retried in a loop), a slot that frees takes the next create."""

from __future__ import annotations

import pytest
import requests

from tests.backends.conftest import Control
from tests.backends.support import FakeClock, vertex_job
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.transport.errors import QuotaExceededError
from tuneops.emulator import EmulatorHandle

CREATE = "POST /v1/projects/{project}/locations/{location}/tuningJobs"


def _limit(emulator: EmulatorHandle, value: int | None) -> dict[str, object]:
    answer = requests.post(
        f"{emulator.url}/_emulator/limits", json={"maxConcurrentJobs": value}, timeout=10
    )
    answer.raise_for_status()
    data: dict[str, object] = answer.json()
    return data


def test_a_create_over_the_concurrent_jobs_limit_is_a_quota_refusal_at_once(
    vertex: Backend, emulator: EmulatorHandle, control: Control, clock: FakeClock
) -> None:
    assert _limit(emulator, 1) == {"maxConcurrentJobs": 1}
    first = vertex.create(vertex_job(name="first"), "prod")
    control.clear_counts()

    with pytest.raises(QuotaExceededError) as caught:
        vertex.create(vertex_job(name="second"), "prod")

    assert caught.value.http_status == 429 and caught.value.rpc_status == "RESOURCE_EXHAUSTED"
    assert "Concurrent tuning jobs" in caught.value.service_message
    assert control.counts() == {CREATE: 1} and clock.sleeps == []
    # A slot frees when the first job ends; the next create takes it.
    control.force(first.name, "succeed")
    assert vertex.create(vertex_job(name="second"), "prod").spec_name == "second"


def test_the_limit_counts_pending_and_running_jobs_per_project_and_location(
    vertex: Backend, emulator: EmulatorHandle, control: Control
) -> None:
    _limit(emulator, 1)
    vertex.create(vertex_job(name="here"), "prod")
    # Another region of the same project has a slot of its own.
    elsewhere = vertex.create(vertex_job(name="there", location="europe-west4"), "prod")
    control.advance(5)  # both RUNNING now
    with pytest.raises(QuotaExceededError):
        vertex.create(vertex_job(name="third", location="europe-west4"), "prod")
    vertex.cancel(elsewhere.name)  # a cancelling job no longer holds a slot
    vertex.create(vertex_job(name="third", location="europe-west4"), "prod")
    assert _limit(emulator, None) == {"maxConcurrentJobs": None}
    vertex.create(vertex_job(name="fourth"), "prod")


def test_the_emulator_answers_with_the_services_error_shape(emulator: EmulatorHandle) -> None:
    _limit(emulator, 1)
    url = f"{emulator.url}/v1/projects/acme-ml/locations/us-central1/tuningJobs"
    body = {
        "baseModel": "gemini-3.5-flash",
        "supervisedTuningSpec": {"trainingDatasetUri": "gs://b/train.jsonl"},
    }
    headers = {"Authorization": "Bearer t"}
    assert requests.post(url, json=body, headers=headers, timeout=10).status_code == 200
    refused = requests.post(url, json=body, headers=headers, timeout=10)
    assert refused.status_code == 429
    assert refused.json() == {
        "error": {
            "code": 429,
            "message": "Quota exceeded for quota metric 'Concurrent tuning jobs' and limit "
            "'Concurrent tuning jobs per project per region' of service "
            "'aiplatform.googleapis.com' for consumer 'project_number:123456789012'.",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                    "violations": [
                        {
                            "subject": "project_number:123456789012",
                            "description": "The limit of 1 concurrent tuning jobs in "
                            "us-central1 is reached; a slot frees when a job ends.",
                        }
                    ],
                }
            ],
        }
    }
