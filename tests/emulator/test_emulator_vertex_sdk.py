"""The google-genai SDK in Vertex AI mode, end to end against the emulator."""

from __future__ import annotations

import re

import pytest
from google.genai import errors, types

from tests.emulator.support import (
    NUMBER,
    PARENT,
    SDK_WARNINGS,
    TRAIN,
    EmulatorFactory,
    vertex_client,
)
from tuneops.emulator import EmulatorHandle

pytestmark = pytest.mark.filterwarnings(SDK_WARNINGS)

JOB_NAME = re.compile(rf"{PARENT}/tuningJobs/\d{{19}}")


def tune(client: object, name: str = "support-bot", **config: object) -> types.TuningJob:
    settings = {"tuned_model_display_name": name, "epoch_count": 3, **config}
    return client.tunings.tune(  # type: ignore[attr-defined]
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri=TRAIN),
        config=types.CreateTuningJobConfig(**settings),
    )


def dump(job: types.TuningJob) -> dict[str, object]:
    return job.model_dump(exclude={"sdk_http_response"}, exclude_none=True)


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_tune_get_and_list_every_page(emulator: EmulatorHandle, version: str) -> None:
    client = vertex_client(emulator.url, version)
    jobs = [tune(client, f"bot-{i}", labels={"tuneops-stack": "demo"}) for i in range(3)]

    first = jobs[0]
    assert JOB_NAME.fullmatch(first.name or "")
    assert first.state == types.JobState.JOB_STATE_PENDING
    assert first.tuned_model_display_name == "bot-0"
    assert first.base_model == "gemini-3.5-flash"
    assert first.labels == {"tuneops-stack": "demo"}
    assert first.supervised_tuning_spec is not None
    assert first.supervised_tuning_spec.training_dataset_uri == TRAIN
    assert first.supervised_tuning_spec.hyper_parameters is not None
    assert first.supervised_tuning_spec.hyper_parameters.epoch_count == 3
    assert first.create_time == first.update_time
    assert first.start_time is None and first.end_time is None
    assert len({job.name for job in jobs}) == 3

    assert dump(client.tunings.get(name=first.name or "")) == dump(first)

    emulator.clear_request_counts()
    listed = list(client.tunings.list(config={"page_size": 1}))
    assert [job.name for job in listed] == [job.name for job in reversed(jobs)]
    template = f"GET /{version}/projects/{{project}}/locations/{{location}}/tuningJobs"
    assert emulator.request_counts() == {template: 3}


def test_list_with_filter_through_the_sdk(emulator: EmulatorHandle) -> None:
    client = vertex_client(emulator.url)
    mine = tune(client, "a", labels={"tuneops-stack": "demo", "tuneops-nonce": "abc"})
    tune(client, "b", labels={"tuneops-stack": "other"})
    found = list(client.tunings.list(config={"filter": 'labels.tuneops-nonce="abc"'}))
    assert [job.name for job in found] == [mine.name]


def test_job_runs_to_success_and_serves_its_endpoint(emulator: EmulatorHandle) -> None:
    client = vertex_client(emulator.url)
    job = tune(client)
    name = job.name or ""
    assert job.create_time is not None
    assert job.create_time.isoformat() == "2025-01-01T00:00:00+00:00"

    emulator.advance(2)
    running = client.tunings.get(name=name)
    assert running.state == types.JobState.JOB_STATE_RUNNING
    assert running.start_time is not None
    assert running.start_time.isoformat() == "2025-01-01T00:00:02+00:00"
    assert running.update_time == running.start_time
    assert running.tuning_data_stats is not None
    assert running.tuned_model is None
    assert not running.has_ended

    emulator.advance(30)
    done = client.tunings.get(name=name)
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED
    assert done.has_succeeded
    assert done.end_time is not None
    assert done.end_time.isoformat() == "2025-01-01T00:00:32+00:00"
    assert done.error is None
    assert done.tuned_model is not None
    model, endpoint = done.tuned_model.model or "", done.tuned_model.endpoint or ""
    assert re.fullmatch(rf"projects/{NUMBER}/locations/us-central1/models/\d{{19}}@1", model)
    assert re.fullmatch(rf"projects/{NUMBER}/locations/us-central1/endpoints/\d{{19}}", endpoint)

    answer = client.models.generate_content(model=endpoint, contents="hello")
    assert answer.text == f"tuned answer from {model} to: hello"


def test_cancel_until_cancelled(emulator: EmulatorHandle) -> None:
    client = vertex_client(emulator.url)
    name = tune(client).name or ""
    emulator.advance(5)
    client.tunings.cancel(name=name)

    states = []
    job = client.tunings.get(name=name)
    while not job.has_ended:
        states.append(job.state)
        emulator.advance(0.5)
        job = client.tunings.get(name=name)
    states.append(job.state)

    assert states == [
        types.JobState.JOB_STATE_CANCELLING,
        types.JobState.JOB_STATE_CANCELLING,
        types.JobState.JOB_STATE_CANCELLED,
    ]
    assert job.error is not None and job.error.code == 1
    assert job.end_time is not None
    assert job.end_time.isoformat() == "2025-01-01T00:00:06+00:00"
    assert job.start_time is not None  # it ran before the cancel
    assert job.tuned_model is None

    with pytest.raises(errors.ClientError) as raised:
        client.tunings.cancel(name=name)
    assert (raised.value.code, raised.value.status) == (400, "FAILED_PRECONDITION")
    assert raised.value.message == (
        f"TuningJob {name} is in state JOB_STATE_CANCELLED and cannot be cancelled."
    )


def test_cancel_while_pending_never_starts(emulator: EmulatorHandle) -> None:
    client = vertex_client(emulator.url)
    name = tune(client).name or ""
    client.tunings.cancel(name=name)
    emulator.advance(10)
    job = client.tunings.get(name=name)
    assert job.state == types.JobState.JOB_STATE_CANCELLED
    assert job.start_time is None
    assert job.tuning_data_stats is None


def test_fail_rate_one_fails_every_job(emulator_factory: EmulatorFactory) -> None:
    handle = emulator_factory(fail_rate=1.0)
    client = vertex_client(handle.url)
    name = tune(client).name or ""
    handle.advance(32)
    job = client.tunings.get(name=name)
    assert job.state == types.JobState.JOB_STATE_FAILED
    assert job.has_ended and not job.has_succeeded
    assert job.error is not None and job.error.code == 13
    assert job.tuned_model is not None and job.tuned_model.endpoint is None


def test_unknown_job_is_404(emulator: EmulatorHandle) -> None:
    client = vertex_client(emulator.url)
    name = f"{PARENT}/tuningJobs/1234567890123456789"
    with pytest.raises(errors.ClientError) as raised:
        client.tunings.get(name=name)
    assert (raised.value.code, raised.value.status) == (404, "NOT_FOUND")
    assert raised.value.message == f'TuningJob "{name}" does not exist.'
    with pytest.raises(errors.ClientError) as raised:
        client.tunings.cancel(name=name)
    assert raised.value.code == 404


@pytest.mark.parametrize(
    ("base_model", "dataset", "config", "message"),
    [
        (
            "gemini-3.5-flash",
            TRAIN,
            {"epoch_count": 0},
            "supervisedTuningSpec.hyperParameters.epochCount must be at least 1, got 0.",
        ),
        (
            "gemini-3.5-flash",
            "https://example.com/train.jsonl",
            {},
            "supervisedTuningSpec.trainingDatasetUri 'https://example.com/train.jsonl' must be a"
            " gs:// URI of a JSONL file or a dataset resource name"
            " projects/{project}/locations/{location}/datasets/{id}.",
        ),
        (
            "gemini-3.5-flash",
            TRAIN,
            {"adapter_size": "ADAPTER_SIZE_THIRTY_TWO"},
            "The adapter size is not supported for this base model.",
        ),
        (
            "gemini-3.5-flash",
            TRAIN,
            {"labels": {"Team": "x"}},
            "labels key 'Team' must start with a lowercase letter and contain only lowercase"
            " letters, digits, underscores and dashes.",
        ),
        (
            "gemini-3.5-flash",
            TRAIN,
            {"tuned_model_display_name": "x" * 129},
            "tunedModelDisplayName is 129 characters long; the maximum is 128.",
        ),
    ],
)
def test_invalid_create_is_400(
    emulator: EmulatorHandle,
    base_model: str,
    dataset: str,
    config: dict[str, object],
    message: str,
) -> None:
    client = vertex_client(emulator.url)
    with pytest.raises(errors.ClientError) as raised:
        client.tunings.tune(
            base_model=base_model,
            training_dataset=types.TuningDataset(gcs_uri=dataset),
            config=types.CreateTuningJobConfig(**config),
        )
    assert (raised.value.code, raised.value.status) == (400, "INVALID_ARGUMENT")
    assert raised.value.message == message
    assert list(client.tunings.list()) == []


def test_generate_content_on_an_unknown_endpoint_is_404(emulator: EmulatorHandle) -> None:
    client = vertex_client(emulator.url)
    endpoint = f"{PARENT}/endpoints/1111111111111111111"
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model=endpoint, contents="hi")
    assert raised.value.code == 404
    assert raised.value.message == f"Endpoint {endpoint} not found."
