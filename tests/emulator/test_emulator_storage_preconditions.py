"""Generation and metageneration preconditions, as the official google-cloud-storage
client sends them: 412 when a precondition fails, 304 for a read whose `NotMatch`
fails, and `0` meaning "no live object" (what a lock created once relies on)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google.api_core import exceptions
from google.cloud import storage

from tuneops.emulator import EmulatorHandle


@pytest.fixture
def bucket(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[storage.Bucket]:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    yield storage.Client(project="acme-ml").bucket("acme-state")


def _put(bucket: storage.Bucket, data: bytes) -> int:
    blob = bucket.blob("lock.json")
    blob.upload_from_string(data)
    assert blob.generation is not None
    return int(blob.generation)


def test_upload_with_generation_zero_creates_once(bucket: storage.Bucket) -> None:
    bucket.blob("lock.json").upload_from_string(b"first", if_generation_match=0)
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("lock.json").upload_from_string(b"second", if_generation_match=0)
    assert bucket.blob("lock.json").download_as_bytes() == b"first"


def test_upload_replaces_only_the_generation_it_read(bucket: storage.Bucket) -> None:
    first = _put(bucket, b"one")
    second = _put(bucket, b"two")
    with pytest.raises(exceptions.PreconditionFailed):  # a stale writer
        bucket.blob("lock.json").upload_from_string(b"stale", if_generation_match=first)
    bucket.blob("lock.json").upload_from_string(b"three", if_generation_match=second)
    assert bucket.blob("lock.json").download_as_bytes() == b"three"


def test_upload_if_generation_not_match(bucket: storage.Bucket) -> None:
    with pytest.raises(exceptions.PreconditionFailed):  # no live object: NotMatch fails
        bucket.blob("lock.json").upload_from_string(b"x", if_generation_not_match=0)
    current = _put(bucket, b"one")
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("lock.json").upload_from_string(b"x", if_generation_not_match=current)
    bucket.blob("lock.json").upload_from_string(b"two", if_generation_not_match=0)
    assert bucket.blob("lock.json").download_as_bytes() == b"two"


def test_upload_if_metageneration_match(bucket: storage.Bucket) -> None:
    with pytest.raises(exceptions.PreconditionFailed):  # nothing there has a metageneration
        bucket.blob("lock.json").upload_from_string(b"x", if_metageneration_match=1)
    _put(bucket, b"one")
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("lock.json").upload_from_string(b"x", if_metageneration_match=2)
    bucket.blob("lock.json").upload_from_string(b"two", if_metageneration_match=1)
    assert bucket.blob("lock.json").download_as_bytes() == b"two"


def test_delete_holds_to_its_preconditions(bucket: storage.Bucket) -> None:
    old = _put(bucket, b"one")
    current = _put(bucket, b"two")
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("lock.json").delete(if_generation_match=old)
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("lock.json").delete(if_generation_not_match=current)
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("lock.json").delete(if_metageneration_match=7)
    assert bucket.blob("lock.json").exists()
    bucket.blob("lock.json").delete(if_generation_match=current, if_metageneration_match=1)
    assert not bucket.blob("lock.json").exists()
    with pytest.raises(exceptions.NotFound):  # a missing object is 404 before any precondition
        bucket.blob("lock.json").delete(if_generation_match=0)


def test_metadata_reads_hold_to_their_preconditions(bucket: storage.Bucket) -> None:
    current = _put(bucket, b"one")
    blob = bucket.blob("lock.json")
    assert blob.exists(if_generation_match=current)
    with pytest.raises(exceptions.PreconditionFailed):
        blob.reload(if_generation_match=current + 1)
    with pytest.raises(exceptions.PreconditionFailed):
        blob.reload(if_generation_match=0)  # 0: "must not exist", and it does
    with pytest.raises(exceptions.PreconditionFailed):
        blob.reload(if_metageneration_match=9)
    with pytest.raises(exceptions.NotModified):
        blob.reload(if_generation_not_match=current)
    with pytest.raises(exceptions.NotModified):
        blob.reload(if_metageneration_not_match=1)
    blob.reload(if_generation_not_match=current + 1, if_metageneration_match=1)
    assert blob.generation == current


def test_media_reads_hold_to_their_preconditions(bucket: storage.Bucket) -> None:
    old = _put(bucket, b"one")
    current = _put(bucket, b"two")
    pinned = bucket.blob("lock.json", generation=old)  # the named generation is compared
    assert pinned.download_as_bytes(if_generation_match=old) == b"one"
    live = bucket.blob("lock.json")
    with pytest.raises(exceptions.PreconditionFailed):
        live.download_as_bytes(if_generation_match=old)
    with pytest.raises(exceptions.NotModified):
        live.download_as_bytes(if_generation_not_match=current)
    assert live.download_as_bytes(if_generation_not_match=old) == b"two"
    with pytest.raises(exceptions.NotFound):
        bucket.blob("nothing.json").download_as_bytes(if_generation_match=0)
