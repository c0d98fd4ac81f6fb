"""Preference jobs, evaluation and checkpoints through tuneops' Vertex backend over
HTTP against the emulator, and the request shape held to the google-genai SDK's."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from google.genai import types

from tests.backends.conftest import Control
from tests.backends.support import TOKEN, vertex_job
from tests.emulator.support import SDK_WARNINGS, vertex_client
from tuneops.backends.shared import identity as ident
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.transport.errors import InvalidArgumentError
from tuneops.backends.vertex.request import build_body, evaluation_config
from tuneops.core.evaluation import Checkpoint
from tuneops.emulator import EmulatorHandle
from tuneops.specs.kinds import JobState
from tuneops.specs.models import Evaluation, EvaluationMetric

VALIDATION = "gs://acme-tuning/support/val.jsonl"
EVALUATION = {"metrics": ["bleu", "rouge1", "rougeL"], "outputUri": "gs://acme-tuning/eval/"}


def _offer(control: Control) -> None:
    control._post("models:offer", {"model": "gemini-3.5-flash", "method": "preference"})


def _raw(url: str, name: str, version: str = "v1") -> dict[str, Any]:
    project_path = name.split("/tuningJobs/")[0]
    response = requests.get(
        f"{url}/{version}/{project_path}/tuningJobs/{name.rsplit('/', 1)[1]}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    response.raise_for_status()
    return dict(response.json())


def test_a_preference_job_is_created_and_read_back(
    vertex: Backend, control: Control, emulator: EmulatorHandle
) -> None:
    _offer(control)
    spec = vertex_job(
        method="preference",
        validationDataset=VALIDATION,
        hyperParameters={"epochCount": 2, "beta": 0.5, "adapterSize": "ADAPTER_SIZE_FOUR"},
    )
    job = vertex.create(spec, "prod")
    sent = _raw(emulator.url, job.name)
    assert "supervisedTuningSpec" not in sent
    assert sent["preferenceOptimizationSpec"] == {
        "trainingDatasetUri": "gs://acme-tuning/support/train.jsonl",
        "validationDatasetUri": VALIDATION,
        "hyperParameters": {"epochCount": "2", "beta": 0.5, "adapterSize": "ADAPTER_SIZE_FOUR"},
    }
    control.force(job.name, "succeed")
    done = vertex.get(job.name)
    assert done.state is JobState.SUCCEEDED
    assert [c.checkpoint_id for c in done.checkpoints] == ["1", "2"]
    assert done.checkpoints[-1].endpoint == done.endpoint
    assert done.evaluation == ()


def test_evaluation_scores_and_checkpoints_reach_the_remote_job(
    vertex: Backend, control: Control
) -> None:
    spec = vertex_job(
        validationDataset=VALIDATION, hyperParameters={"epochCount": 3}, evaluation=EVALUATION
    )
    job = vertex.create(spec, "prod")
    control.force(job.name, "succeed")
    control._post(
        "jobs:evaluate",
        {
            "name": job.name,
            "scores": {
                "*": {"bleu": 0.25, "rouge1": 0.5, "rougeL": 0.125},
                "2": {"bleu": 0.75},
            },
        },
    )
    done = vertex.get(job.name)
    assert [(c.checkpoint_id, c.epoch, c.step) for c in done.checkpoints] == [
        ("1", 1, 10),
        ("2", 2, 20),
        ("3", 3, 30),
    ]
    assert isinstance(done.checkpoints[0], Checkpoint)
    by_checkpoint = {e.checkpoint_id: dict(e.scores) for e in done.evaluation}
    assert by_checkpoint == {
        "1": {"bleu": 0.25, "rouge1": 0.5, "rougeL": 0.125},
        "2": {"bleu": 0.75, "rouge1": 0.5, "rougeL": 0.125},
        "3": {"bleu": 0.25, "rouge1": 0.5, "rougeL": 0.125},
    }
    # A listing carries them too: a plan sees what status sees, in one call.
    listed = [j for j in vertex.list_jobs("prod", "acme-ml", "us-central1") if j.name == job.name]
    assert listed[0].evaluation == done.evaluation


def test_a_model_the_catalogue_does_not_preference_tune_is_refused_by_the_service(
    vertex: Backend,
) -> None:
    with pytest.raises(InvalidArgumentError, match="not supported for preference tuning"):
        vertex.create(vertex_job(method="preference"), "prod")


@pytest.mark.filterwarnings(SDK_WARNINGS)
def test_tuneops_sends_the_tuning_spec_the_sdk_sends(
    emulator: EmulatorHandle, control: Control
) -> None:
    """The same preference job and the same evaluation, sent by the google-genai SDK
    and built by tuneops, have the same fields (the SDK adds STANDARD_DEVIATION to
    each metric's aggregations and spells metric specs in snake_case)."""
    _offer(control)
    client = vertex_client(emulator.url, "v1beta1")
    sdk_job = client.tunings.tune(
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri="gs://acme-tuning/support/train.jsonl"),
        config=types.CreateTuningJobConfig(
            method=types.TuningMethod.PREFERENCE_TUNING,
            validation_dataset=types.TuningValidationDataset(gcs_uri=VALIDATION),
            epoch_count=2,
            beta=0.5,
            export_last_checkpoint_only=True,
            tuned_model_display_name="support-bot",
        ),
    )
    sdk_sent = _raw(emulator.url, sdk_job.name or "", "v1beta1")
    ours = build_body(
        vertex_job(
            method="preference",
            validationDataset=VALIDATION,
            hyperParameters={"epochCount": 2, "beta": 0.5},
            exportLastCheckpointOnly=True,
        ),
        ident.Identity("prod", "support-bot", "0" * 16, False, "a" * 16),
    )
    assert ours["preferenceOptimizationSpec"] == {
        **sdk_sent["preferenceOptimizationSpec"],
        "hyperParameters": {"epochCount": 2, "beta": 0.5},  # int64 is a string once echoed
    }
    assert sdk_sent["preferenceOptimizationSpec"]["hyperParameters"] == {
        "epochCount": "2",
        "beta": 0.5,
    }
    assert (ours["baseModel"], ours["tunedModelDisplayName"]) == (
        sdk_sent["baseModel"],
        sdk_sent["tunedModelDisplayName"],
    )

    sdk_eval = client.tunings.tune(
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri="gs://acme-tuning/support/train.jsonl"),
        config=types.CreateTuningJobConfig(
            evaluation_config=types.EvaluationConfig(
                metrics=[types.Metric(name="bleu"), types.Metric(name="exact_match")],
                output_config=types.OutputConfig(
                    gcs_destination=types.GcsDestination(output_uri_prefix="gs://acme-tuning/eval/")
                ),
            )
        ),
    )
    sdk_config = _raw(emulator.url, sdk_eval.name or "", "v1beta1")["supervisedTuningSpec"][
        "evaluationConfig"
    ]
    config = evaluation_config(
        Evaluation(
            metrics=(EvaluationMetric.BLEU, EvaluationMetric.EXACT_MATCH),
            output_uri="gs://acme-tuning/eval/",
        )
    )
    # Proto JSON takes both spellings; tuneops sends the lowerCamelCase one.
    assert config["outputConfig"] == _camel(sdk_config["outputConfig"])
    assert [set(m) - {"aggregationMetrics"} for m in config["metrics"]] == [
        set(m) - {"aggregationMetrics"} for m in _camel(sdk_config["metrics"])
    ]
    assert [set(m) for m in sdk_config["metrics"]] == [
        {"aggregation_metrics", "bleu_spec"},
        {"aggregation_metrics", "exact_match_spec"},
    ]


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key.split("_")[0] + "".join(p.title() for p in key.split("_")[1:]): _camel(v)
            for key, v in value.items()
        }
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


JUDGE = "projects/acme-ml/locations/us-central1/publishers/google/models/gemini-3.5-flash"


@pytest.mark.filterwarnings(SDK_WARNINGS)
def test_an_autorater_reaches_the_job_as_the_sdk_sends_it(
    vertex: Backend, emulator: EmulatorHandle
) -> None:
    autorater = {"model": JUDGE, "samplingCount": 8, "flipEnabled": False}
    spec = vertex_job(
        validationDataset=VALIDATION, evaluation={**EVALUATION, "autorater": autorater}
    )
    job = vertex.create(spec, "prod")
    sent = _raw(emulator.url, job.name)["supervisedTuningSpec"]["evaluationConfig"]
    assert sent["autoraterConfig"] == {
        "autoraterModel": JUDGE,
        "samplingCount": 8,
        "flipEnabled": False,
    }
    # Only what the spec sets is sent: the service's defaults apply to the rest.
    partial = vertex_job(
        validationDataset=VALIDATION, evaluation={**EVALUATION, "autorater": {"samplingCount": 2}}
    )
    ours = build_body(partial, ident.Identity("prod", "support-bot", "0" * 16, False, "a" * 16))
    assert ours["supervisedTuningSpec"]["evaluationConfig"]["autoraterConfig"] == {
        "samplingCount": 2
    }
    # Without an autorater the body is what it was before tuneops knew of one.
    plain = build_body(
        vertex_job(validationDataset=VALIDATION, evaluation=EVALUATION),
        ident.Identity("prod", "support-bot", "0" * 16, False, "a" * 16),
    )
    assert "autoraterConfig" not in plain["supervisedTuningSpec"]["evaluationConfig"]

    client = vertex_client(emulator.url, "v1beta1")
    sdk_job = client.tunings.tune(
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri="gs://acme-tuning/support/train.jsonl"),
        config=types.CreateTuningJobConfig(
            evaluation_config=types.EvaluationConfig(
                metrics=[types.Metric(name="bleu")],
                output_config=types.OutputConfig(
                    gcs_destination=types.GcsDestination(output_uri_prefix="gs://acme-tuning/eval/")
                ),
                autorater_config=types.AutoraterConfig(
                    autorater_model=JUDGE, sampling_count=8, flip_enabled=False
                ),
            )
        ),
    )
    sdk_sent = _raw(emulator.url, sdk_job.name or "", "v1beta1")["supervisedTuningSpec"]
    assert sdk_sent["evaluationConfig"]["autoraterConfig"] == sent["autoraterConfig"]


def test_an_autorater_the_service_refuses_is_an_invalid_argument(vertex: Backend) -> None:
    # The schema stops this before any call; a spec built in code meets the service.
    spec = vertex_job(evaluation={**EVALUATION, "autorater": {"samplingCount": 40}})
    with pytest.raises(InvalidArgumentError, match="samplingCount must be between 1 and 32"):
        vertex.create(spec, "prod")
