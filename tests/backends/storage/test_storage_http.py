"""The Cloud Storage client over real HTTP: retried like Google's own client, errors that
name the object, and listings that carry only the fields a pin needs.

The emulator injects the faults; the client runs on a fake clock, so every sleep is
recorded instead of waited.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from tests.backends.conftest import Control
from tests.backends.support import FakeClock
from tuneops.backends.construction import build_storage_client
from tuneops.backends.storage.client import GcsUri, StorageClient
from tuneops.backends.transport import errors
from tuneops.backends.transport.http import RetryPolicy
from tuneops.emulator import EmulatorHandle

OBJECT = "GET /storage/v1/b/{bucket}/o/{object}"
LIST = "GET /storage/v1/b/{bucket}/o"
UPLOAD = "POST /upload/storage/v1/b/{bucket}/o"
URI = GcsUri("acme-tuning", "team a/support/train.jsonl")
LINE = b'{"contents": [{"role": "user", "parts": [{"text": "I"}]}]}\n'


@pytest.fixture
def storage(emulator: EmulatorHandle, clock: FakeClock) -> Iterator[StorageClient]:
    client = build_storage_client(
        None,
        {"STORAGE_EMULATOR_HOST": emulator.url},
        clock=clock,
        rng=random.Random(1234),
    )
    yield client
    client.close()


def test_metadata_gets_survive_429s_then_a_503_like_googles_client(
    storage: StorageClient, emulator: EmulatorHandle, control: Control, clock: FakeClock
) -> None:
    generation = emulator.put_object(str(URI), LINE)
    control.fault(method="GET", path="/storage/v1/b/", kind="status", status=429, count=3)
    control.fault(method="GET", path="/storage/v1/b/", kind="status", status=503, count=1)
    found = storage.metadata(URI)
    assert found is not None and found.generation == generation
    assert control.counts() == {OBJECT: 5}
    rng = random.Random(1234)
    assert clock.sleeps == [RetryPolicy().backoff(n, rng) for n in range(1, 5)]


def test_408_and_a_reset_connection_are_retried(
    storage: StorageClient, emulator: EmulatorHandle, control: Control
) -> None:
    emulator.put_object(str(URI), LINE)
    control.fault(method="GET", path="/storage/v1/b/", kind="status", status=408, count=1)
    control.fault(method="GET", path="/storage/v1/b/", kind="drop", count=1)
    assert storage.metadata(URI) is not None
    assert control.counts() == {OBJECT: 3}


def test_a_failure_that_outlasts_the_retries_names_the_object_and_each_retry_is_logged(
    storage: StorageClient, control: Control, caplog: pytest.LogCaptureFixture
) -> None:
    control.fault(method="GET", path="/storage/v1/b/", kind="status", status=503, count=50)
    with pytest.raises(errors.ServerError) as raised:
        storage.metadata(URI)
    assert str(raised.value).startswith(f"{URI}: GET http://")
    assert "503 UNAVAILABLE" in str(raised.value)
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == RetryPolicy().max_attempts - 1
    assert all(message.startswith(f"GET {URI}: retrying in ") for message in retries)


def test_reading_media_is_retried_from_the_start(
    storage: StorageClient, emulator: EmulatorHandle, control: Control
) -> None:
    emulator.put_object(str(URI), LINE * 3)
    found = storage.metadata(URI)
    assert found is not None
    control.fault(method="GET", path="/storage/v1/b/", kind="status", status=503, count=1)
    control.fault(method="GET", path="/storage/v1/b/", kind="drop", count=1)
    control.fault(method="GET", path="/storage/v1/b/", kind="status", status=429, count=1)

    def read(stream: BinaryIO) -> bytes:
        return stream.read()

    assert storage.read_media(found, read) == LINE * 3
    assert control.counts() == {OBJECT: 5}


def test_an_upload_whose_answer_was_lost_is_sent_again_and_finds_the_object_there(
    storage: StorageClient, control: Control, tmp_path: Path
) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(LINE)
    control.fault(method="POST", path="/upload/", kind="status", status=503, count=1)
    control.fault(method="POST", path="/upload/", kind="commit-then-fail", drop=True, count=1)
    # The second attempt stored the object and lost the answer; the third finds it
    # there (412 with ifGenerationMatch=0), which is what an upload that lost the race says.
    assert storage.upload(path, URI, "application/jsonl", size=path.stat().st_size) is None
    found = storage.metadata(URI)
    assert found is not None and found.size == len(LINE)
    assert control.counts() == {UPLOAD: 3, OBJECT: 1}


def test_an_upload_is_retried_after_a_503_and_returns_the_object(
    storage: StorageClient, control: Control, tmp_path: Path
) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(LINE * 2)
    control.fault(method="POST", path="/upload/", kind="status", status=503, count=2)
    stored = storage.upload(path, URI, "application/jsonl", size=path.stat().st_size)
    assert stored is not None and stored.size == 2 * len(LINE)
    assert control.counts() == {UPLOAD: 3}


def test_listing_pages_carry_only_the_fields_of_a_pin_and_are_retried(
    storage: StorageClient, emulator: EmulatorHandle, control: Control
) -> None:
    for index in range(5):
        emulator.put_object(f"gs://acme-tuning/stack/{index}/train.jsonl", LINE)
    emulator.put_object("gs://acme-tuning/other/x.jsonl", LINE)
    control.fault(method="GET", path="/o$", kind="status", status=503, count=1)
    found = list(storage.list_objects("acme-tuning", "stack/", page_size=2))
    assert [f.uri.name for f in found] == [f"stack/{i}/train.jsonl" for i in range(5)]
    assert all(f.size == len(LINE) and f.crc32c and f.md5 is None for f in found)
    assert control.counts() == {LIST: 4}  # 3 pages, one of them twice


def test_listing_can_start_at_an_offset(storage: StorageClient, emulator: EmulatorHandle) -> None:
    for name in ("a/1", "a/2", "a/3"):
        emulator.put_object(f"gs://acme-tuning/{name}", LINE)
    found = list(storage.list_objects("acme-tuning", "a/", start_offset="a/2"))
    assert [f.uri.name for f in found] == ["a/2", "a/3"]


def test_a_listing_that_fails_for_good_names_the_prefix(
    storage: StorageClient, control: Control, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    control.fault(method="GET", path="/o$", kind="status", status=503, count=50)
    with pytest.raises(errors.ServerError) as raised:
        list(storage.list_objects("acme-tuning", "stack/"))
    assert str(raised.value).startswith("gs://acme-tuning/stack/*: GET http://")
