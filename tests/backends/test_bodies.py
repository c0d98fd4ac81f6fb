"""Request bodies built from specs, and the normalized view of answers."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.backends.support import gemini_job, vertex_job
from tuneops.backends.gemini import client as gemini
from tuneops.backends.gemini import request as gemini_request
from tuneops.backends.shared import identity
from tuneops.backends.shared.generation import generate_body, response_text
from tuneops.backends.shared.wire import parse_timestamp
from tuneops.backends.transport.errors import (
    IdentityError,
    InvalidRequestError,
    InvalidResponseError,
)
from tuneops.backends.vertex import mapping as vertex_mapping
from tuneops.backends.vertex import request as vertex_request
from tuneops.specs.kinds import JobState

NONCE = "fedcba9876543210"


def test_vertex_body_from_a_full_spec() -> None:
    job = vertex_job(
        validationDataset="gs://acme-tuning/support/val.jsonl",
        tunedModelDisplayName="Support bot",
        description="Answers tickets.",
        hyperParameters={
            "epochCount": 5,
            "learningRateMultiplier": 1.0,
            "adapterSize": "ADAPTER_SIZE_FOUR",
        },
        labels={"team": "support", "cost-center": "cc-1042"},
        protect=True,
    )
    who = identity.identity_for(job, "prod", NONCE)
    assert vertex_request.build_body(job, who) == {
        "baseModel": "gemini-3.5-flash",
        "supervisedTuningSpec": {
            "trainingDatasetUri": "gs://acme-tuning/support/train.jsonl",
            "validationDatasetUri": "gs://acme-tuning/support/val.jsonl",
            "hyperParameters": {
                "epochCount": 5,
                "learningRateMultiplier": 1.0,
                "adapterSize": "ADAPTER_SIZE_FOUR",
            },
        },
        "tunedModelDisplayName": "Support bot",
        "description": "Answers tickets.",
        "labels": {
            "team": "support",
            "cost-center": "cc-1042",
            "tuneops-stack": "prod",
            "tuneops-name": "support-bot",
            "tuneops-hash": job.spec_hash[:16],
            "tuneops-protect": "true",
            "tuneops-nonce": NONCE,
        },
    }


def test_vertex_body_minimal_spec_defaults_display_name_to_the_spec_name() -> None:
    job = vertex_job(name="tiny")
    body = vertex_request.build_body(job, identity.identity_for(job, "prod", NONCE))
    assert body == {
        "baseModel": "gemini-3.5-flash",
        "supervisedTuningSpec": {"trainingDatasetUri": "gs://acme-tuning/support/train.jsonl"},
        "tunedModelDisplayName": "tiny",
        "labels": {
            "tuneops-stack": "prod",
            "tuneops-name": "tiny",
            "tuneops-hash": job.spec_hash[:16],
            "tuneops-nonce": NONCE,
        },
    }


def test_vertex_body_refuses_reserved_labels_and_gemini_specs() -> None:
    job = vertex_job()
    # Specs built in code bypass the schema's reservation of the prefix.
    forged = vertex_job(labels={"tuneops-stack": "other"})
    with pytest.raises(IdentityError, match="reserved labels tuneops-stack"):
        vertex_request.build_body(forged, identity.identity_for(forged, "prod", NONCE))
    g = gemini_job()
    with pytest.raises(InvalidRequestError, match="gemini backend, not vertex"):
        vertex_request.build_body(g, identity.identity_for(job, "prod", NONCE))


def test_gemini_body_from_a_full_spec() -> None:
    job = gemini_job(
        count=2,
        displayName="roman numerals",
        description="Counts.",
        hyperParameters={"epochCount": 5, "batchSize": 4, "learningRate": 0.001},
        temperature=0.5,
        topP=0.9,
        topK=40,
        protect=True,
    )
    who = identity.identity_for(job, "prod")
    assert gemini_request.build_body(job, who) == {
        "displayName": "roman numerals",
        "description": (
            f"Counts. [tuneops stack=prod name=roman-numerals hash={job.spec_hash[:16]} "
            "protect=true]"
        ),
        "baseModel": "models/gemini-1.5-flash-001-tuning",
        "tuningTask": {
            "trainingData": {
                "examples": {
                    "examples": [
                        {"textInput": "0", "output": "1"},
                        {"textInput": "1", "output": "2"},
                    ]
                }
            },
            "hyperparameters": {"epochCount": 5, "batchSize": 4, "learningRate": 0.001},
        },
        "temperature": 0.5,
        "topP": 0.9,
        "topK": 40,
    }


def test_gemini_body_minimal_spec() -> None:
    job = gemini_job(count=1)
    body = gemini_request.build_body(job, identity.identity_for(job, "prod"))
    assert body == {
        "displayName": "roman-numerals",
        "description": f"[tuneops stack=prod name=roman-numerals hash={job.spec_hash[:16]}]",
        "baseModel": "models/gemini-1.5-flash-001-tuning",
        "tuningTask": {
            "trainingData": {"examples": {"examples": [{"textInput": "0", "output": "1"}]}}
        },
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "2024-11-03T21:08:07.734198Z",
            dt.datetime(2024, 11, 3, 21, 8, 7, 734198, dt.timezone.utc),
        ),
        (
            "2024-03-14T15:11:23.766989274Z",
            dt.datetime(2024, 3, 14, 15, 11, 23, 766989, dt.timezone.utc),
        ),
        ("2024-03-14T15:11:23Z", dt.datetime(2024, 3, 14, 15, 11, 23, tzinfo=dt.timezone.utc)),
        (
            "2024-03-14T15:11:23.5+02:00",
            dt.datetime(2024, 3, 14, 13, 11, 23, 500000, dt.timezone.utc),
        ),
        (None, None),
        ("", None),
    ],
)
def test_timestamps(value: str | None, expected: dt.datetime | None) -> None:
    assert parse_timestamp(value) == expected


def test_bad_timestamp_is_an_invalid_response() -> None:
    with pytest.raises(InvalidResponseError, match="not an RFC 3339 timestamp: 'yesterday'"):
        parse_timestamp("yesterday")


def test_every_vertex_and_gemini_state_is_mapped() -> None:
    assert {k: v.value for k, v in vertex_mapping.STATES.items()} == {
        "JOB_STATE_QUEUED": "pending",
        "JOB_STATE_PENDING": "pending",
        "JOB_STATE_RUNNING": "running",
        "JOB_STATE_UPDATING": "running",
        "JOB_STATE_PAUSED": "running",
        "JOB_STATE_SUCCEEDED": "succeeded",
        "JOB_STATE_FAILED": "failed",
        "JOB_STATE_EXPIRED": "failed",
        "JOB_STATE_PARTIALLY_SUCCEEDED": "failed",
        "JOB_STATE_CANCELLING": "cancelling",
        "JOB_STATE_CANCELLED": "cancelled",
    }
    assert {k: v.value for k, v in gemini.STATES.items()} == {
        "CREATING": "running",
        "ACTIVE": "succeeded",
        "FAILED": "failed",
    }
    assert [s.value for s in JobState if s.is_live] == ["pending", "running", "cancelling"]
    assert [s.value for s in JobState if s.has_ended] == ["succeeded", "failed", "cancelled"]


def test_generate_request_and_answer() -> None:
    assert generate_body("LXIII") == {"contents": [{"role": "user", "parts": [{"text": "LXIII"}]}]}
    answer = {"candidates": [{"content": {"parts": [{"text": "LX"}, {"text": "IV"}]}}]}
    assert response_text(answer) == "LXIV"
    with pytest.raises(InvalidResponseError, match=r"no answer \(blocked: SAFETY\)"):
        response_text({"promptFeedback": {"blockReason": "SAFETY"}})


def test_vertex_body_continues_from_a_tuned_model_with_its_options() -> None:
    model = "projects/acme-ml/locations/us-central1/models/4242@3"
    key = "projects/acme-ml/locations/us-central1/keyRings/tuning/cryptoKeys/jobs"
    job = vertex_job(
        baseModel=None,
        preTunedModel={"tunedModelName": model, "checkpointId": "2"},
        exportLastCheckpointOnly=False,
        encryptionSpec={"kmsKeyName": key},
        serviceAccount="tuner@acme-ml.iam.gserviceaccount.com",
    )
    body = vertex_request.build_body(job, identity.identity_for(job, "prod", NONCE))
    assert "baseModel" not in body
    assert body["preTunedModel"] == {"tunedModelName": model, "checkpointId": "2"}
    assert body["supervisedTuningSpec"]["exportLastCheckpointOnly"] is False
    assert body["encryptionSpec"] == {"kmsKeyName": key}
    assert body["serviceAccount"] == "tuner@acme-ml.iam.gserviceaccount.com"
