"""The google-genai SDK in Gemini API mode, end to end against the emulator.

SDK 3.x drops inline training examples from tunings.tune(), so they travel in
`HttpOptions(extra_body=...)` as wire-format B.7 describes.
"""

from __future__ import annotations

import re

import pytest
from google.genai import errors, types

from tests.emulator.support import EXAMPLES, SDK_WARNINGS, gemini_client, gemini_http
from tuneops.emulator import EmulatorHandle

# The Gemini API's tuning flow as it was until 2025 (seed 003); today's default
# refusal is in test_emulator_models.py.
pytestmark = [pytest.mark.filterwarnings(SDK_WARNINGS), pytest.mark.gemini_tuning_available]


def tune(client: object, display_name: str = "number generator") -> types.TuningJob:
    extra = {"tuningTask": {"trainingData": {"examples": {"examples": EXAMPLES}}}}
    return client.tunings.tune(  # type: ignore[attr-defined]
        base_model="models/gemini-1.5-flash-001-tuning",
        training_dataset=types.TuningDataset(
            examples=[types.TuningExample(text_input="1", output="2")]
        ),
        config=types.CreateTuningJobConfig(
            tuned_model_display_name=display_name,
            epoch_count=5,
            batch_size=2,
            learning_rate=0.001,
            http_options=types.HttpOptions(extra_body=extra),
        ),
    )


def test_tune_get_list_generate_delete(emulator: EmulatorHandle) -> None:
    client = gemini_client(emulator.url)
    operation = tune(client)
    name = operation.name or ""
    assert re.fullmatch(r"tunedModels/number-generator-[a-z0-9]{12}", name)
    assert operation.state == types.JobState.JOB_STATE_QUEUED

    creating = client.tunings.get(name=name)
    assert creating.state == types.JobState.JOB_STATE_RUNNING  # CREATING, as the SDK maps it
    assert creating.base_model == "models/gemini-1.5-flash-001-tuning"
    assert creating.start_time is None

    emulator.advance(32)
    active = client.tunings.get(name=name)
    assert active.state == types.JobState.JOB_STATE_SUCCEEDED
    assert active.start_time is not None
    assert active.start_time.isoformat() == "2025-01-01T00:00:02+00:00"
    assert active.end_time is not None
    assert active.end_time.isoformat() == "2025-01-01T00:00:32+00:00"
    assert active.tuned_model is not None and active.tuned_model.model == name

    other = tune(client, "second model").name
    listed = list(client.models.list(config={"query_base": False, "page_size": 1}))
    assert [model.name for model in listed] == [other, name]
    assert listed[1].display_name == "number generator"

    trained = client.models.generate_content(model=name, contents="3")
    assert trained.text == "4"
    assert trained.candidates is not None
    assert trained.candidates[0].finish_reason == types.FinishReason.STOP
    untrained = client.models.generate_content(model=name, contents="what is 5?")
    assert untrained.text == "untuned answer to: what is 5?"

    client.models.delete(model=name)
    with pytest.raises(errors.ClientError) as raised:
        client.tunings.get(name=name)
    assert (raised.value.code, raised.value.status) == (404, "NOT_FOUND")
    assert raised.value.message == f"Tuned model {name} does not exist."
    with pytest.raises(errors.ClientError) as raised:
        client.models.delete(model=name)
    assert raised.value.code == 404


def test_update_through_the_sdk(emulator: EmulatorHandle) -> None:
    client = gemini_client(emulator.url)
    name = tune(client).name or ""
    emulator.advance(1)
    client.models.update(model=name, config={"display_name": "renamed", "description": "d"})
    model = gemini_http(emulator.url).ok("GET", f"/v1beta/{name}")
    assert model["displayName"] == "renamed"
    assert model["description"] == "d"
    assert model["updateTime"] == "2025-01-01T00:00:01.000000Z"


def test_generate_content_before_the_model_is_active_is_refused(emulator: EmulatorHandle) -> None:
    client = gemini_client(emulator.url)
    name = tune(client).name or ""
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model=name, contents="1")
    assert (raised.value.code, raised.value.status) == (400, "FAILED_PRECONDITION")
    assert raised.value.message == f"Tuned model {name} is not ready: its state is CREATING."


def test_tune_without_examples_is_400(emulator: EmulatorHandle) -> None:
    client = gemini_client(emulator.url)
    with pytest.raises(errors.ClientError) as raised:
        client.tunings.tune(
            base_model="models/gemini-1.5-flash-001-tuning",
            training_dataset=types.TuningDataset(
                examples=[types.TuningExample(text_input="1", output="2")]
            ),
            config=types.CreateTuningJobConfig(epoch_count=5),
        )
    assert (raised.value.code, raised.value.status) == (400, "INVALID_ARGUMENT")
    assert raised.value.message == "tuningTask.trainingData is required."


def test_sdk_default_v1_has_no_tuned_model_create(emulator: EmulatorHandle) -> None:
    client = gemini_client(emulator.url)
    client_v1 = type(client)(api_key="k", http_options={"base_url": emulator.url + "/"})
    with pytest.raises(errors.ClientError) as raised:
        tune(client_v1)
    assert raised.value.code == 404
    assert raised.value.message == "The requested URL /v1/tunedModels was not found on this server."
