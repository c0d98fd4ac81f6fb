"""The autorater of an evaluation (`evaluationConfig.autoraterConfig`) against the
emulator: accepted and echoed when valid, refused with Google's error envelope when
malformed, over raw HTTP and through the google-genai SDK's `tunings.tune`."""

from __future__ import annotations

from typing import Any

import pytest
from google.genai import errors, types

from tests.emulator.support import (
    PROJECT,
    SDK_WARNINGS,
    TRAIN,
    Http,
    job_body,
    parse_error,
    vertex_client,
    vertex_http,
)
from tuneops.emulator import EmulatorHandle

JOBS = f"/v1/projects/{PROJECT}/locations/us-central1/tuningJobs"
JUDGE = f"projects/{PROJECT}/locations/us-central1/publishers/google/models/gemini-3.5-flash"
TUNED_JUDGE = f"projects/{PROJECT}/locations/us-central1/endpoints/4242"
WHERE = "supervisedTuningSpec.evaluationConfig.autoraterConfig"


@pytest.fixture
def api(emulator: EmulatorHandle) -> Http:
    return vertex_http(emulator.url)


def _evaluated(autorater: Any) -> dict[str, Any]:
    return job_body(
        supervisedTuningSpec={
            "trainingDatasetUri": TRAIN,
            "evaluationConfig": {
                "metrics": [{"aggregationMetrics": ["AVERAGE"], "bleuSpec": {}}],
                "outputConfig": {"gcsDestination": {"outputUriPrefix": "gs://acme/eval/"}},
                "autoraterConfig": autorater,
            },
        }
    )


@pytest.mark.parametrize(
    "autorater",
    [
        {"autoraterModel": JUDGE, "samplingCount": 8, "flipEnabled": False},
        {"autoraterModel": TUNED_JUDGE},
        {"sampling_count": 1, "flip_enabled": True},  # proto JSON takes snake_case too
        {"samplingCount": 32},
        {},
    ],
)
def test_a_valid_autorater_is_accepted_and_echoed(api: Http, autorater: dict[str, Any]) -> None:
    job = api.ok("POST", JOBS, json=_evaluated(autorater))
    camel = {
        "".join(part.title() if i else part for i, part in enumerate(key.split("_"))): value
        for key, value in autorater.items()
    }
    assert job["supervisedTuningSpec"]["evaluationConfig"]["autoraterConfig"] == camel
    again = api.ok("GET", f"/v1/{job['name']}")
    assert (
        again["supervisedTuningSpec"]["evaluationConfig"]
        == (job["supervisedTuningSpec"]["evaluationConfig"])
    )


@pytest.mark.parametrize(
    ("autorater", "message"),
    [
        ({"samplingCount": 0}, f"{WHERE}.samplingCount must be between 1 and 32, got 0."),
        ({"samplingCount": 33}, f"{WHERE}.samplingCount must be between 1 and 32, got 33."),
        (
            {"autoraterModel": "gemini-3.5-flash"},
            f"{WHERE}.autoraterModel 'gemini-3.5-flash' is not of the form "
            "projects/{project}/locations/{location}/publishers/{publisher}/models/{model} "
            "or projects/{project}/locations/{location}/endpoints/{endpoint}.",
        ),
    ],
)
def test_an_autorater_out_of_range_is_refused(api: Http, autorater: Any, message: str) -> None:
    response = api.call("POST", JOBS, json=_evaluated(autorater))
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
    }


_AT = "tuning_job.supervised_tuning_spec.evaluation_config.autorater_config"


@pytest.mark.parametrize(
    ("autorater", "message", "field"),
    [
        (
            {"judge": JUDGE},
            f"Invalid JSON payload received. Unknown name \"judge\" at '{_AT}': Cannot find field.",
            _AT,
        ),
        (
            {"samplingCount": "many"},
            f"Invalid value at '{_AT}.sampling_count' (TYPE_INT32), \"many\"",
            f"{_AT}.sampling_count",
        ),
        (
            {"flipEnabled": "yes"},
            f"Invalid value at '{_AT}.flip_enabled' (TYPE_BOOL), \"yes\"",
            f"{_AT}.flip_enabled",
        ),
    ],
)
def test_a_malformed_autorater_gets_the_parse_error_envelope(
    api: Http, autorater: Any, message: str, field: str
) -> None:
    response = api.call("POST", JOBS, json=_evaluated(autorater))
    assert response.status_code == 400
    assert response.json() == parse_error(message, field)


def _sdk_tune(emulator: EmulatorHandle, autorater: types.AutoraterConfig) -> types.TuningJob:
    client = vertex_client(emulator.url, "v1beta1")
    return client.tunings.tune(
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri=TRAIN),
        config=types.CreateTuningJobConfig(
            tuned_model_display_name="judged",
            evaluation_config=types.EvaluationConfig(
                metrics=[types.Metric(name="bleu")],
                output_config=types.OutputConfig(
                    gcs_destination=types.GcsDestination(output_uri_prefix="gs://acme/eval/")
                ),
                autorater_config=autorater,
            ),
        ),
    )


@pytest.mark.filterwarnings(SDK_WARNINGS)
def test_the_sdk_tunes_with_an_autorater(emulator: EmulatorHandle, api: Http) -> None:
    job = _sdk_tune(
        emulator,
        types.AutoraterConfig(autorater_model=JUDGE, sampling_count=6, flip_enabled=False),
    )
    # The SDK 3.6 reads evaluationConfig from the job's top level only, so the
    # tuning spec's is read back over HTTP, as the service shows it.
    read = api.ok("GET", f"/v1beta1/{job.name}")
    assert read["supervisedTuningSpec"]["evaluationConfig"]["autoraterConfig"] == {
        "autoraterModel": JUDGE,
        "samplingCount": 6,
        "flipEnabled": False,
    }

    with pytest.raises(errors.ClientError) as refused:
        _sdk_tune(emulator, types.AutoraterConfig(sampling_count=64))
    assert refused.value.code == 400
    assert f"{WHERE}.samplingCount must be between 1 and 32, got 64." in str(refused.value)
