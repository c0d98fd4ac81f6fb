"""A request recorded from the google-genai SDK (tests/data/replays/SOURCES.md): the
SDK still sends it, the emulator serves it, and tuneops builds the same tuning spec."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from google.genai import types

from tests.backends.support import vertex_job
from tests.emulator.support import SDK_WARNINGS, TOKEN, TRAIN, ReplayServer, vertex_client
from tuneops.backends.shared import identity as ident
from tuneops.backends.vertex.request import build_body
from tuneops.emulator import EmulatorHandle

pytestmark = pytest.mark.filterwarnings(SDK_WARNINGS)

RECORDED = Path(__file__).resolve().parents[1] / "data" / "replays"
REQUEST = json.loads((RECORDED / "sdk_vertex_preference_create_request.json").read_text())
VALIDATION = "gs://acme-tuning/support/val.jsonl"
JOB = {
    "name": "projects/123456789012/locations/us-central1/tuningJobs/1",
    "state": "JOB_STATE_PENDING",
}


def _sdk_request() -> tuple[str, dict[str, Any]]:
    with ReplayServer(200, JOB) as server:
        client = vertex_client(server.url, "v1beta1")
        client.tunings.tune(
            base_model="gemini-3.5-flash",
            training_dataset=types.TuningDataset(gcs_uri=TRAIN),
            config=types.CreateTuningJobConfig(
                method=types.TuningMethod.PREFERENCE_TUNING,
                tuned_model_display_name="support-bot",
                validation_dataset=types.TuningValidationDataset(gcs_uri=VALIDATION),
                epoch_count=2,
                beta=0.5,
                adapter_size="ADAPTER_SIZE_FOUR",
                export_last_checkpoint_only=True,
                evaluation_config=types.EvaluationConfig(
                    metrics=[types.Metric(name="bleu"), types.Metric(name="rouge_l")],
                    output_config=types.OutputConfig(
                        gcs_destination=types.GcsDestination(
                            output_uri_prefix="gs://acme-tuning/eval/"
                        )
                    ),
                ),
            ),
        )
        method, path, body = server.requests[0]
    return f"{method} {path}", json.loads(body)


def test_the_sdk_still_sends_the_recorded_request() -> None:
    route, body = _sdk_request()
    assert route == "POST /v1beta1/projects/acme-ml/locations/us-central1/tuningJobs"
    assert body == REQUEST


def test_the_emulator_serves_the_recorded_request(emulator: EmulatorHandle) -> None:
    emulator.offer("gemini-3.5-flash", "preference")
    answer = requests.post(
        f"{emulator.url}/v1beta1/projects/acme-ml/locations/us-central1/tuningJobs",
        json=REQUEST,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    name = answer.json()["name"]
    emulator.force(name, "succeed")
    done = emulator.set_scores(name, {"*": {"bleu": 0.5, "rougel": 0.25}})
    assert [c["checkpointId"] for c in done["tunedModel"]["checkpoints"]] == ["2"]
    (run,) = done["evaluateDatasetRuns"]
    results = run["evaluateDatasetResponse"]["aggregationOutput"]["aggregationResults"]
    assert results == [
        {"aggregationMetric": "AVERAGE", "bleuMetricValue": {"score": 0.5}},
        {"aggregationMetric": "AVERAGE", "rougeMetricValue": {"score": 0.25}},
    ]


def test_tuneops_builds_the_recorded_tuning_spec() -> None:
    body = build_body(
        vertex_job(
            method="preference",
            validationDataset=VALIDATION,
            tunedModelDisplayName="support-bot",
            exportLastCheckpointOnly=True,
            hyperParameters={"epochCount": 2, "beta": 0.5, "adapterSize": "ADAPTER_SIZE_FOUR"},
        ),
        ident.Identity("prod", "support-bot", "0" * 16, False, "a" * 16),
    )
    recorded = dict(REQUEST["preferenceOptimizationSpec"])
    recorded.pop("evaluationConfig")  # v1beta1 only: tuneops calls v1 (docs/tuning-methods.md)
    assert body["preferenceOptimizationSpec"] == recorded
    assert {k: body[k] for k in ("baseModel", "tunedModelDisplayName")} == {
        k: REQUEST[k] for k in ("baseModel", "tunedModelDisplayName")
    }
