"""The emulator's Cloud Storage JSON API, driven by the official google-cloud-storage client."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import google_crc32c
import pytest
import requests
from google.api_core import exceptions
from google.cloud import storage

from tests.emulator.support import EmulatorFactory
from tuneops.emulator import EmulatorHandle


@pytest.fixture
def client(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[storage.Client]:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    yield storage.Client(project="acme-ml")


def test_upload_read_back_list_and_delete(client: storage.Client) -> None:
    bucket = client.bucket("acme-tuning")
    blob = bucket.blob("support/train.jsonl")
    blob.upload_from_string(b'{"contents": []}\n', content_type="application/jsonl")
    assert blob.generation is not None and blob.size == 17
    expected = base64.b64encode(google_crc32c.Checksum(b'{"contents": []}\n').digest()).decode()
    assert blob.crc32c == expected

    again = bucket.get_blob("support/train.jsonl")
    assert again is not None
    assert (again.generation, again.crc32c, again.content_type) == (
        blob.generation,
        expected,
        "application/jsonl",
    )
    assert again.download_as_bytes() == b'{"contents": []}\n'
    assert [b.name for b in client.list_blobs("acme-tuning", prefix="support/")] == [
        "support/train.jsonl"
    ]
    blob.delete()
    assert bucket.get_blob("support/train.jsonl") is None
    assert list(client.list_blobs("acme-tuning")) == []


def test_an_overwrite_makes_a_new_generation_and_the_old_one_stays_readable(
    client: storage.Client,
) -> None:
    bucket = client.bucket("acme-tuning")
    first = bucket.blob("train.jsonl")
    first.upload_from_string(b"one\n")
    second = bucket.blob("train.jsonl")
    second.upload_from_string(b"two\n")
    assert second.generation is not None and first.generation is not None
    assert second.generation > first.generation
    old = bucket.blob("train.jsonl", generation=first.generation)
    assert old.download_as_bytes() == b"one\n"
    versions = list(client.list_blobs("acme-tuning", versions=True))
    assert [v.generation for v in versions] == [first.generation, second.generation]


def test_if_generation_match_zero_refuses_to_overwrite(client: storage.Client) -> None:
    blob = client.bucket("acme-tuning").blob("train.jsonl")
    blob.upload_from_string(b"one\n", if_generation_match=0)
    with pytest.raises(exceptions.PreconditionFailed):
        client.bucket("acme-tuning").blob("train.jsonl").upload_from_string(
            b"two\n", if_generation_match=0
        )
    assert blob.download_as_bytes() == b"one\n"


def test_missing_objects_and_buckets_are_404s_in_the_storage_envelope(
    client: storage.Client, emulator: EmulatorHandle
) -> None:
    with pytest.raises(exceptions.NotFound):
        client.bucket("acme-tuning").blob("nope.jsonl").download_as_bytes()
    with pytest.raises(exceptions.NotFound):
        client.get_bucket("never-made")
    client.create_bucket("never-made")
    assert client.get_bucket("never-made").name == "never-made"
    answer = requests.get(f"{emulator.url}/storage/v1/b/acme-tuning/o/a%2Fb.jsonl", timeout=5)
    assert answer.status_code == 404
    assert answer.json() == {
        "error": {
            "code": 404,
            "message": "No such object: acme-tuning/a/b.jsonl",
            "errors": [
                {
                    "message": "No such object: acme-tuning/a/b.jsonl",
                    "domain": "global",
                    "reason": "notFound",
                }
            ],
        }
    }


def test_listing_pages_through_many_objects(client: storage.Client) -> None:
    bucket = client.bucket("acme-tuning")
    for index in range(5):
        bucket.blob(f"part-{index}.jsonl").upload_from_string(b"x")
    pages = client.list_blobs("acme-tuning", max_results=None, page_size=2).pages
    assert [[b.name for b in page] for page in pages] == [
        ["part-0.jsonl", "part-1.jsonl"],
        ["part-2.jsonl", "part-3.jsonl"],
        ["part-4.jsonl"],
    ]


def test_objects_survive_a_restart_with_a_state_file(
    emulator_factory: EmulatorFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.sqlite"
    first = emulator_factory(state_path=state)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", first.url)
    blob = storage.Client(project="acme-ml").bucket("acme-tuning").blob("train.jsonl")
    blob.upload_from_string(b"kept\n")
    second = emulator_factory(state_path=state)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", second.url)
    again = storage.Client(project="acme-ml").bucket("acme-tuning").get_blob("train.jsonl")
    assert again is not None
    assert (again.generation, again.download_as_bytes()) == (blob.generation, b"kept\n")
