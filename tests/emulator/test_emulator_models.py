"""The emulator as strict as the service: it tunes the catalogue's models and refuses
others with the service's error shape, retires models at run time, and answers the
Gemini API's tunedModels.create as today's service does unless told otherwise.

The google-genai SDK is the client wherever it can express the call.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from google.genai import errors, types

from tests.emulator.support import (
    EXAMPLES,
    SDK_WARNINGS,
    TRAIN,
    EmulatorFactory,
    Http,
    gemini_client,
    gemini_http,
    model_body,
    vertex_client,
    vertex_http,
)
from tuneops.emulator import EmulatorConfig, EmulatorHandle, start_emulator

pytestmark = pytest.mark.filterwarnings(SDK_WARNINGS)

JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"
GEMINI_TUNING_MODEL = "models/gemini-1.5-flash-001-tuning"
NOT_TUNABLE = (
    "{} is not found for API version v1beta, or is not supported for createTunedModel. "
    "Call ListModels to see the list of available models and their supported methods."
)


def tune(client: Any, base_model: str, **config: Any) -> types.TuningJob:
    """A Vertex tuning job through the SDK."""
    job: types.TuningJob = client.tunings.tune(
        base_model=base_model,
        training_dataset=types.TuningDataset(gcs_uri=TRAIN),
        config=types.CreateTuningJobConfig(tuned_model_display_name="bot", **config),
    )
    return job


def refusal(client: Any, base_model: str, **config: Any) -> errors.ClientError:
    """The SDK's error for a Vertex create the emulator refuses."""
    with pytest.raises(errors.ClientError) as raised:
        tune(client, base_model, **config)
    return raised.value


def tune_gemini(client: Any, base_model: str = GEMINI_TUNING_MODEL) -> types.TuningJob:
    """A Gemini API tuned model through the SDK (examples in extra_body: SDK 3.x drops them)."""
    extra = {"tuningTask": {"trainingData": {"examples": {"examples": EXAMPLES}}}}
    job: types.TuningJob = client.tunings.tune(
        base_model=base_model,
        training_dataset=types.TuningDataset(
            examples=[types.TuningExample(text_input="1", output="2")]
        ),
        config=types.CreateTuningJobConfig(
            tuned_model_display_name="numbers",
            epoch_count=5,
            batch_size=2,
            http_options=types.HttpOptions(extra_body=extra),
        ),
    )
    return job


def advance_to(emulator: EmulatorHandle, day: dt.date) -> None:
    """Moves the frozen clock to the start of `day` (UTC)."""
    now = dt.datetime.fromisoformat(emulator.now().replace("Z", "+00:00"))
    target = dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)
    emulator.advance((target - now).total_seconds())


# Vertex: the catalogue's models, and what it says about them ----------------------


def test_the_catalogues_vertex_models_are_tuned(emulator: EmulatorHandle) -> None:
    client = vertex_client(emulator.url)
    for model in ("gemini-3.5-flash", "gemini-3.5-flash-lite", "gemini-3.1-flash-lite"):
        assert tune(client, model).state == types.JobState.JOB_STATE_PENDING, model


def test_an_unknown_base_model_is_a_400_in_the_service_envelope(emulator: EmulatorHandle) -> None:
    client = vertex_client(emulator.url)
    error = refusal(client, "gemini-9-ultra")
    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message == "Base model gemini-9-ultra is not supported for tuning."
    body = {
        "baseModel": "gemini-9-ultra",
        "supervisedTuningSpec": {"trainingDatasetUri": TRAIN},
    }
    answer = vertex_http(emulator.url).call("POST", JOBS, json=body)
    assert (answer.status_code, answer.json()) == (
        400,
        {
            "error": {
                "code": 400,
                "message": "Base model gemini-9-ultra is not supported for tuning.",
                "status": "INVALID_ARGUMENT",
            }
        },
    )
    assert list(client.tunings.list()) == []


def test_a_model_the_backend_does_not_tune_is_refused(emulator: EmulatorHandle) -> None:
    # The catalogue lists it for the Gemini API only.
    error = refusal(vertex_client(emulator.url), "gemini-1.5-flash-001-tuning")
    assert (error.code, error.message) == (
        400,
        "Base model gemini-1.5-flash-001-tuning is not supported for tuning.",
    )


def test_a_model_is_retired_the_day_after_its_last_tuning_day(emulator: EmulatorHandle) -> None:
    # models.json: gemini-2.5-flash shuts down on Vertex on 2026-10-20.
    client = vertex_client(emulator.url)
    advance_to(emulator, dt.date(2026, 10, 19))
    assert tune(client, "gemini-2.5-flash").state == types.JobState.JOB_STATE_PENDING

    advance_to(emulator, dt.date(2026, 10, 20))
    error = refusal(client, "gemini-2.5-flash")
    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message == (
        "Base model gemini-2.5-flash was retired on 2026-10-20 and can no longer be tuned."
    )
    assert tune(client, "gemini-3.5-flash").state == types.JobState.JOB_STATE_PENDING


@pytest.mark.parametrize(
    ("model", "size", "accepted"),
    [
        ("gemini-3.5-flash", "ADAPTER_SIZE_THIRTY_TWO", False),
        ("gemini-3.5-flash", "ADAPTER_SIZE_SIXTEEN", True),
        ("gemini-2.5-pro", "ADAPTER_SIZE_SIXTEEN", False),
        ("gemini-2.5-pro", "ADAPTER_SIZE_EIGHT", True),
    ],
)
def test_adapter_sizes_are_the_catalogues(
    emulator: EmulatorHandle, model: str, size: str, accepted: bool
) -> None:
    client = vertex_client(emulator.url)
    if accepted:
        assert tune(client, model, adapter_size=size).state == types.JobState.JOB_STATE_PENDING
        return
    error = refusal(client, model, adapter_size=size)
    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message == "The adapter size is not supported for this base model."


def _catalogue(path: Path) -> Path:
    """A catalogue file with hyper-parameter ranges (the shipped one records none)."""
    data = {
        "formatVersion": 1,
        "models": [
            {
                "id": "acme-tuner",
                "aliases": ["acme-tuner-latest"],
                "backends": {
                    "vertex": {
                        "tuning": {
                            "methods": ["supervised"],
                            "adapterSizes": [1, 4],
                            "epochCount": {"min": 1, "max": 20},
                            "learningRateMultiplier": {"max": 10},
                            "source": "test",
                        }
                    }
                },
            }
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"epoch_count": 500},
            "supervisedTuningSpec.hyperParameters.epochCount 500 is out of range for "
            "base model acme-tuner: allowed 1..20.",
        ),
        (
            {"learning_rate_multiplier": 12.5},
            "supervisedTuningSpec.hyperParameters.learningRateMultiplier 12.5 is out of range "
            "for base model acme-tuner: allowed ..10.",
        ),
        (
            {"adapter_size": "ADAPTER_SIZE_EIGHT"},
            "The adapter size is not supported for this base model.",
        ),
    ],
)
def test_hyper_parameters_outside_the_catalogues_ranges_are_refused(
    emulator_factory: EmulatorFactory, tmp_path: Path, config: dict[str, Any], message: str
) -> None:
    emulator = emulator_factory(catalogue_path=_catalogue(tmp_path / "models.json"))
    client = vertex_client(emulator.url)
    error = refusal(client, "acme-tuner", **config)
    assert (error.code, error.status, error.message) == (400, "INVALID_ARGUMENT", message)
    edge = {
        "epoch_count": 20,
        "learning_rate_multiplier": 10.0,
        "adapter_size": "ADAPTER_SIZE_FOUR",
    }
    assert tune(client, "acme-tuner-latest", **edge).state == types.JobState.JOB_STATE_PENDING
    assert refusal(client, "gemini-3.5-flash").code == 400  # not in this catalogue


# Retiring a model at run time ------------------------------------------------------


def test_retiring_a_model_fails_its_unfinished_jobs_and_keeps_finished_ones(
    emulator: EmulatorHandle,
) -> None:
    client = vertex_client(emulator.url)
    done = tune(client, "gemini-3.5-flash").name or ""
    emulator.force(done, "succeed")
    running = tune(client, "gemini-3.5-flash").name or ""
    other = tune(client, "gemini-3.5-flash-lite").name or ""
    emulator.advance(5)
    pending = tune(client, "gemini-3.5-flash").name or ""

    answer = Http(emulator.url).ok(
        "POST", "/_emulator/models:retire", json={"model": "gemini-3.5-flash"}
    )

    assert answer == {
        "model": "gemini-3.5-flash",
        "retiredOn": "2025-01-01",
        "failedJobs": [running, pending],
    }
    message = (
        "Base model gemini-3.5-flash was retired on 2025-01-01; the tuning job stopped "
        "before it finished."
    )
    for name in (running, pending):
        job = client.tunings.get(name=name)
        assert job.state == types.JobState.JOB_STATE_FAILED, name
        assert job.error is not None
        assert (job.error.code, job.error.message) == (9, message)
        assert job.tuned_model is None and job.end_time is not None
    emulator.advance(600)  # they do not come back
    assert client.tunings.get(name=running).state == types.JobState.JOB_STATE_FAILED

    finished = client.tunings.get(name=done)
    assert finished.state == types.JobState.JOB_STATE_SUCCEEDED
    assert finished.tuned_model is not None and finished.tuned_model.endpoint
    reply = client.models.generate_content(model=finished.tuned_model.endpoint, contents="hi")
    assert reply.text and reply.text.startswith("tuned answer from ")
    assert client.tunings.get(name=other).state == types.JobState.JOB_STATE_SUCCEEDED

    error = refusal(client, "gemini-3.5-flash")
    assert (error.code, error.status, error.message) == (
        400,
        "INVALID_ARGUMENT",
        "Base model gemini-3.5-flash was retired on 2025-01-01 and can no longer be tuned.",
    )

    emulator.reset()
    assert tune(client, "gemini-3.5-flash").state == types.JobState.JOB_STATE_PENDING


def test_retire_names_a_model_of_the_catalogue(emulator: EmulatorHandle) -> None:
    control = Http(emulator.url)
    missing = control.call("POST", "/_emulator/models:retire", json={})
    assert (missing.status_code, missing.json()["error"]["message"]) == (
        400,
        'models:retire needs the model\'s id in "model".',
    )
    unknown = control.call("POST", "/_emulator/models:retire", json={"model": "gemini-9-ultra"})
    assert (unknown.status_code, unknown.json()["error"]["message"]) == (
        404,
        "Model gemini-9-ultra is not in the emulator's model catalogue.",
    )
    # Any spelling the services take; nothing was running.
    assert emulator.retire("publishers/google/models/gemini-3.5-flash") == {
        "model": "gemini-3.5-flash",
        "retiredOn": "2025-01-01",
    }


def test_a_retired_model_stays_retired_after_a_restart(tmp_path: Path) -> None:
    config = EmulatorConfig(state_path=tmp_path / "state.sqlite", frozen_clock=True)
    with start_emulator(config) as first:
        first.retire("gemini-3.5-flash")
    with start_emulator(config) as second:
        error = refusal(vertex_client(second.url), "gemini-3.5-flash")
        assert error.message == (
            "Base model gemini-3.5-flash was retired on 2025-01-01 and can no longer be tuned."
        )


# The Gemini API --------------------------------------------------------------------


@pytest.mark.parametrize("model", [GEMINI_TUNING_MODEL, "models/gemini-3.5-flash"])
def test_gemini_tuning_is_refused_by_default_as_today(emulator: EmulatorHandle, model: str) -> None:
    client = gemini_client(emulator.url)
    with pytest.raises(errors.ClientError) as raised:
        tune_gemini(client, model)
    assert (raised.value.code, raised.value.status) == (404, "NOT_FOUND")
    assert raised.value.message == NOT_TUNABLE.format(model)
    assert gemini_http(emulator.url).ok("GET", "/v1beta/tunedModels") == {}


def test_gemini_tuning_available_tunes_the_catalogues_gemini_models(
    emulator_factory: EmulatorFactory,
) -> None:
    emulator = emulator_factory(gemini_tuning="available")
    client = gemini_client(emulator.url)
    name = tune_gemini(client).name or ""
    assert client.tunings.get(name=name).state == types.JobState.JOB_STATE_RUNNING  # CREATING
    # Listed for the Gemini API without tuning, or not listed at all: refused as today.
    for model in ("models/gemini-2.5-flash", "models/gemini-9-ultra"):
        with pytest.raises(errors.ClientError) as raised:
            tune_gemini(client, model)
        assert (raised.value.code, raised.value.message) == (404, NOT_TUNABLE.format(model))


def test_retiring_the_gemini_tuning_model_fails_its_tuned_models(
    emulator_factory: EmulatorFactory,
) -> None:
    emulator = emulator_factory(gemini_tuning="available")
    client, api = gemini_client(emulator.url), gemini_http(emulator.url)
    creating = tune_gemini(client).name or ""
    operation = api.ok("POST", "/v1beta/tunedModels", json=model_body())["name"]

    answer = emulator.retire(GEMINI_TUNING_MODEL)

    assert answer["failedJobs"] == [creating, operation.split("/operations/")[0]]
    assert client.tunings.get(name=creating).state == types.JobState.JOB_STATE_FAILED
    done = api.ok("GET", f"/v1beta/{operation}")
    assert done["done"] is True
    assert done["error"] == {
        "code": 9,
        "message": "Base model gemini-1.5-flash-001-tuning was retired on 2025-01-01; "
        "the tuning job stopped before it finished.",
    }
    with pytest.raises(errors.ClientError) as raised:
        tune_gemini(client)
    assert (raised.value.code, raised.value.status) == (404, "NOT_FOUND")
