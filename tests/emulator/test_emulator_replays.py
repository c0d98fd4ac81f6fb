"""Recorded real responses and the emulator's answers parse the same way.

For each file in tests/data/replays (sources in its SOURCES.md) the emulator is brought to the same
state; then the raw JSON must have the same shape (keys, nesting, and JSON types,
so int64-as-string is checked too), and the google-genai SDK must read both into
objects with the same fields set. Where the state is fully determined the
answers must be equal.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from google.genai import errors, types

from tests.emulator.support import (
    SDK_WARNINGS,
    ReplayServer,
    gemini_client,
    gemini_http,
    vertex_client,
    vertex_http,
)
from tuneops.emulator import EmulatorHandle

pytestmark = pytest.mark.filterwarnings(SDK_WARNINGS)

REPLAYS = Path(__file__).resolve().parents[1] / "data" / "replays"
JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"
# A Vertex base model the emulator serves (the recorded jobs name retired ones).
CURRENT_MODEL = "gemini-3.5-flash"


def replay(name: str) -> Any:
    path = REPLAYS / name
    if not path.is_file():
        pytest.fail(f"recorded replay {path} is missing: the replays belong in tests/data/replays")
    return json.loads(path.read_text(encoding="utf-8"))


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively; a list's shape is the set of its items' shapes."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes = []
        for item in value:
            if shape(item) not in shapes:
                shapes.append(shape(item))
        return shapes
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def sdk_fields(value: Any) -> Any:
    """Which fields an SDK object has set, recursively."""
    dumped = value.model_dump(exclude_none=True, exclude={"sdk_http_response"})
    return shape(dumped)


def test_failed_vertex_job(emulator: EmulatorHandle) -> None:
    recorded = replay("vertex_tuning_job_get_failed.json")
    api = vertex_http(emulator.url)
    body = {key: recorded[key] for key in ("tunedModelDisplayName", "supervisedTuningSpec")}
    # The recorded job tuned a model Google has since retired, which the emulator
    # refuses; the shape of a failed job does not depend on the base model.
    body["baseModel"] = CURRENT_MODEL
    name = api.ok("POST", JOBS, json=body)["name"]
    emulator.advance(10)
    emulator.force(name, "fail")
    ours = api.ok("GET", f"/v1/{name}")
    assert shape(ours) == shape(recorded)
    assert ours["supervisedTuningSpec"] == recorded["supervisedTuningSpec"]
    assert ours["error"] == recorded["error"]
    assert (ours["baseModel"], recorded["baseModel"]) == (CURRENT_MODEL, "gemini-1.5-pro-002")

    # Keep each client referenced while it is used: a dropped Client closes its connection.
    with ReplayServer(200, recorded) as stub:
        stub_client = vertex_client(stub.url)
        theirs = stub_client.tunings.get(name=recorded["name"])
    client = vertex_client(emulator.url)
    mine = client.tunings.get(name=name)
    assert sdk_fields(mine) == sdk_fields(theirs)
    for job in (theirs, mine):
        assert job.has_ended and not job.has_succeeded
        assert job.error is not None and job.error.code == 13
        assert job.supervised_tuning_spec is not None
        assert job.supervised_tuning_spec.hyper_parameters is not None
        assert job.supervised_tuning_spec.hyper_parameters.epoch_count == 10
    assert theirs.tuning_data_stats is not None
    stats = theirs.tuning_data_stats.supervised_tuning_data_stats
    assert stats is not None and stats.tuning_dataset_example_count == 500


@pytest.mark.gemini_tuning_available
@pytest.mark.parametrize(
    ("name", "batch_size"),
    [
        ("gemini_create_tuned_model_operation.json", 2),
        ("gemini_create_tuned_model_operation_2.json", 4),
    ],
)
def test_gemini_create_operation(emulator: EmulatorHandle, name: str, batch_size: int) -> None:
    recorded = replay(name)
    # The tutorial that produced these tuned 15 examples for 5 epochs.
    examples = [{"textInput": str(i), "output": str(i + 1)} for i in range(15)]
    body = {
        "displayName": "number generator",
        "baseModel": "models/gemini-1.5-flash-001-tuning",
        "tuningTask": {
            "hyperparameters": {"batchSize": batch_size, "learningRate": 0.001, "epochCount": 5},
            "trainingData": {"examples": {"examples": examples}},
        },
    }
    ours = gemini_http(emulator.url).ok("POST", "/v1beta/tunedModels", json=body)
    assert shape(ours) == shape(recorded)
    assert ours["metadata"]["totalSteps"] == recorded["metadata"]["totalSteps"]
    assert recorded["metadata"]["totalSteps"] == math.ceil(15 * 5 / batch_size)

    extra = {"tuningTask": {"trainingData": {"examples": {"examples": examples}}}}
    config = types.CreateTuningJobConfig(
        tuned_model_display_name="number generator",
        epoch_count=5,
        batch_size=batch_size,
        http_options=types.HttpOptions(extra_body=extra),
    )
    dataset = types.TuningDataset(examples=[types.TuningExample(text_input="0", output="1")])
    base = "models/gemini-1.5-flash-001-tuning"
    with ReplayServer(200, recorded) as stub:
        stub_client = gemini_client(stub.url)
        theirs = stub_client.tunings.tune(base_model=base, training_dataset=dataset, config=config)
    client = gemini_client(emulator.url)
    mine = client.tunings.tune(base_model=base, training_dataset=dataset, config=config)
    assert sdk_fields(mine) == sdk_fields(theirs)
    assert theirs.name == recorded["metadata"]["tunedModel"]
    assert mine.name is not None and mine.name.startswith("tunedModels/number-generator-")
    assert theirs.state == mine.state == types.JobState.JOB_STATE_QUEUED


@pytest.mark.gemini_tuning_available
def test_gemini_generate_content(emulator: EmulatorHandle) -> None:
    recorded = replay("gemini_tuned_model_generate_content.json")
    api = gemini_http(emulator.url)
    body = {
        "baseModel": "models/gemini-1.5-flash-001-tuning",
        "tuningTask": {
            "trainingData": {"examples": {"examples": [{"textInput": "LXIII", "output": "LXIV"}]}}
        },
    }
    model = api.ok("POST", "/v1beta/tunedModels", json=body)["metadata"]["tunedModel"]
    emulator.force(model, "succeed")
    request = {"contents": [{"role": "user", "parts": [{"text": "LXIII"}]}]}
    assert api.ok("POST", f"/v1beta/{model}:generateContent", json=request) == recorded

    with ReplayServer(200, recorded) as stub:
        stub_client = gemini_client(stub.url)
        theirs = stub_client.models.generate_content(model=model, contents="LXIII")
    client = gemini_client(emulator.url)
    mine = client.models.generate_content(model=model, contents="LXIII")
    assert sdk_fields(mine) == sdk_fields(theirs)
    for reply in (theirs, mine):
        assert reply.text == "LXIV"
        assert reply.candidates is not None
        assert reply.candidates[0].finish_reason == types.FinishReason.STOP


def test_vertex_invalid_adapter_size(emulator: EmulatorHandle) -> None:
    # Recorded for ADAPTER_SIZE_THIRTY_TWO (python-genai#908); the catalogue's current
    # model takes sizes up to 16, so the same request draws the same answer today.
    recorded = replay("vertex_error_invalid_adapter_size.json")
    body = {
        "baseModel": CURRENT_MODEL,
        "supervisedTuningSpec": {
            "trainingDatasetUri": "gs://b/train.jsonl",
            "hyperParameters": {"adapterSize": "ADAPTER_SIZE_THIRTY_TWO"},
        },
    }
    response = vertex_http(emulator.url).call("POST", JOBS, json=body)
    assert response.status_code == recorded["error"]["code"]
    assert response.json() == recorded

    raised = []
    with ReplayServer(400, recorded) as stub:
        for url in (stub.url, emulator.url):
            client = vertex_client(url)
            with pytest.raises(errors.ClientError) as caught:
                client.tunings.tune(
                    base_model=CURRENT_MODEL,
                    training_dataset=types.TuningDataset(gcs_uri="gs://b/train.jsonl"),
                    config=types.CreateTuningJobConfig(adapter_size="ADAPTER_SIZE_THIRTY_TWO"),
                )
            raised.append(caught.value)
    theirs, mine = raised
    assert (mine.code, mine.status, mine.message) == (theirs.code, theirs.status, theirs.message)
    assert (mine.code, mine.status) == (400, "INVALID_ARGUMENT")
