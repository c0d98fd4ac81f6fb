"""Vertex jobs in the emulator read their dataset from the emulated bucket."""

from __future__ import annotations

import json

import pytest
from google.cloud import storage

from tests.emulator.support import PARENT, SDK_WARNINGS, TRAIN, job_body, vertex_client, vertex_http
from tuneops.emulator import EmulatorHandle

pytestmark = pytest.mark.filterwarnings(SDK_WARNINGS)

EXAMPLE = {
    "systemInstruction": {"parts": [{"text": "Be brief."}]},
    "contents": [
        {"role": "user", "parts": [{"text": "Where is my order?"}]},
        {"role": "model", "parts": [{"text": "It ships today."}]},
    ],
}


def upload(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    bucket = storage.Client(project="acme-ml").bucket("acme-tuning")
    bucket.blob("support/train.jsonl").upload_from_string(data)


def run_job(emulator: EmulatorHandle) -> dict[str, object]:
    http = vertex_http(emulator.url)
    job = http.ok("POST", f"/v1/{PARENT}/tuningJobs", json=job_body())
    emulator.advance(3600)
    found: dict[str, object] = http.ok("GET", f"/v1/{job['name']}")
    return found


def test_statistics_are_the_real_counts_of_the_uploaded_dataset(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload(emulator, monkeypatch, (json.dumps(EXAMPLE) + "\n").encode() * 3)
    job = run_job(emulator)
    assert job["state"] == "JOB_STATE_SUCCEEDED"
    stats = job["tuningDataStats"]["supervisedTuningDataStats"]  # type: ignore[index]
    # A word is a token per 4 characters, punctuation one each: "Be brief." 1+2+1,
    # "Where is my order?" 2+1+1+2+1 in, "It ships today." 1+2+2+1 out, per example.
    assert stats["tuningDatasetExampleCount"] == "3"
    assert stats["totalTuningCharacterCount"] == str(3 * (9 + 18 + 15))
    assert stats["totalBillableTokenCount"] == str(3 * (4 + 7 + 6))
    assert stats["userInputTokenDistribution"]["sum"] == str(3 * (4 + 7))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, f"Training dataset {TRAIN} does not exist."),
        (b"{not json\n", f"Invalid training dataset {TRAIN}: line 1 is not valid JSON."),
        (
            b'{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}\n',
            f"Invalid training dataset {TRAIN}: line 1: the last content must have role 'model'.",
        ),
    ],
)
def test_a_missing_or_malformed_dataset_fails_the_job(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, data: bytes | None, message: str
) -> None:
    if data is None:  # the bucket exists, the object does not
        upload(emulator, monkeypatch, b"")
        storage.Client(project="acme-ml").bucket("acme-tuning").blob("support/train.jsonl").delete()
    else:
        upload(emulator, monkeypatch, data)
    job = run_job(emulator)
    assert job["state"] == "JOB_STATE_FAILED"
    assert job["error"] == {"code": 3, "message": message}
    assert "tuningDataStats" not in job and "tunedModel" not in job


def test_count_tokens_through_the_sdk_is_deterministic(emulator: EmulatorHandle) -> None:
    client = vertex_client(emulator.url)
    first = client.models.count_tokens(model="gemini-3.5-flash", contents="Where is my order?")
    again = client.models.count_tokens(model="gemini-3.5-flash", contents="Where is my order?")
    assert first.total_tokens == again.total_tokens == 7
