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


def test_a_listing_returns_only_the_fields_asked_for(
    client: storage.Client, emulator: EmulatorHandle
) -> None:
    bucket = client.bucket("acme-tuning")
    for index in range(3):
        bucket.blob(f"stack/{index}.jsonl").upload_from_string(b"x")
    pages = client.list_blobs(
        "acme-tuning", prefix="stack/", page_size=2, fields="items(name,generation),nextPageToken"
    ).pages
    names = [[(b.name, b.generation is not None, b.size) for b in page] for page in pages]
    assert names == [
        [("stack/0.jsonl", True, None), ("stack/1.jsonl", True, None)],
        [("stack/2.jsonl", True, None)],
    ]
    answer = requests.get(
        f"{emulator.url}/storage/v1/b/acme-tuning/o",
        params={"prefix": "stack/", "maxResults": "2", "fields": "items(name,size)"},
        timeout=5,
    )
    # No nextPageToken: it was not asked for, as on Google's front end.
    assert answer.json() == {
        "items": [{"name": "stack/0.jsonl", "size": "1"}, {"name": "stack/1.jsonl", "size": "1"}]
    }


def test_an_object_get_returns_only_the_fields_asked_for(
    client: storage.Client, emulator: EmulatorHandle
) -> None:
    client.bucket("acme-tuning").blob("a/b.jsonl").upload_from_string(b"xy")
    answer = requests.get(
        f"{emulator.url}/storage/v1/b/acme-tuning/o/a%2Fb.jsonl",
        params={"fields": "name,size,kind"},
        timeout=5,
    )
    assert answer.json() == {"kind": "storage#object", "name": "a/b.jsonl", "size": "2"}


def test_a_bad_fields_mask_is_a_400(emulator: EmulatorHandle) -> None:
    answer = requests.get(
        f"{emulator.url}/storage/v1/b/acme-tuning/o", params={"fields": "items(name"}, timeout=5
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["reason"] == "invalidParameter"


def test_a_listing_starts_at_start_offset_and_stops_before_end_offset(
    client: storage.Client,
) -> None:
    bucket = client.bucket("acme-tuning")
    for name in ("a/1", "a/2", "a/3", "a/4", "b/1"):
        bucket.blob(name).upload_from_string(b"x")
    listed = client.list_blobs("acme-tuning", start_offset="a/2", end_offset="a/4")
    assert [b.name for b in listed] == ["a/2", "a/3"]
