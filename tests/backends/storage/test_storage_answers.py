"""Cloud Storage answers are untrusted (issue 22): shape-checked before use, media
read under the transport's deadlines and checked against its metadata as it is read.

A hostile server on 127.0.0.1 stands in front of the emulator and rewrites the
answers it is told to; everything else is the emulator's own.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import pytest

from tests.backends.support import FakeClock
from tests.hostile import HostileServer, Reply, Seen
from tuneops.backends.construction import build_storage_client
from tuneops.backends.storage.checksums import Hasher, crc32c_base64, crc32c_pure
from tuneops.backends.storage.client import (
    GcsUri,
    MediaMismatchError,
    ObjectMetadata,
    StorageClient,
)
from tuneops.backends.transport import errors
from tuneops.backends.transport.http import RetryPolicy, Timeouts, TransportOptions
from tuneops.emulator import EmulatorHandle

URI = GcsUri("acme-tuning", "support/train.jsonl")
OBJECT = r"/storage/v1/b/acme-tuning/o/support%2Ftrain\.jsonl"
LISTING = r"/storage/v1/b/acme-tuning/o"
LINE = b'{"contents": [{"role": "user", "parts": [{"text": "I"}]}]}\n'
ONCE = RetryPolicy(max_attempts=1)


def client(hostile: HostileServer, clock: FakeClock, **options: Any) -> StorageClient:
    return build_storage_client(
        None,
        {"STORAGE_EMULATOR_HOST": hostile.url},
        clock=clock,
        rng=random.Random(7),
        options=TransportOptions(**options),
    )


@pytest.fixture
def storage(hostile: HostileServer, clock: FakeClock) -> Iterator[StorageClient]:
    made = client(hostile, clock, retry=ONCE)
    yield made
    made.close()


def rewritten(change: Callable[[dict[str, Any]], None]) -> Callable[[Seen], Reply]:
    """Forwards the request and applies `change` to the JSON the emulator answered."""

    def script(seen: Seen) -> Reply:
        answer = seen.forward()
        data = json.loads(answer.body)
        change(data)
        return Reply.of(answer.status, data)

    return script


def test_the_client_crc32c_is_castagnolis() -> None:
    # The check value of CRC-32C (RFC 3720, B.4) and Cloud Storage's own example.
    assert crc32c_pure(0, b"123456789") == 0xE3069283
    assert crc32c_base64(crc32c_pure(0, b"")) == "AAAAAA=="
    hasher = Hasher()
    for part in (b"1234", b"56789"):
        hasher.update(part)
    assert hasher.digests().crc32c == crc32c_base64(0xE3069283)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("size", "-1", "size is missing or not a non-negative int64: '-1'"),
        ("size", None, "size is missing or not a non-negative int64: 'None'"),
        ("size", [3], "size is missing or not a non-negative int64: '[3]'"),
        ("generation", "0", "generation is missing or not a positive int64: '0'"),
        ("generation", True, "generation is missing or not a positive int64: 'True'"),
        ("generation", "1e9", "generation is missing or not a positive int64: '1e9'"),
        ("crc32c", "not base64!", "crc32c is missing or not the base64 of 4 bytes: 'not base64!'"),
        ("crc32c", None, "crc32c is missing or not the base64 of 4 bytes: 'None'"),
        ("md5Hash", 5, "md5Hash is not the base64 of 16 bytes: '5'"),
        ("name", "other.jsonl", "name is not the object asked for: 'other.jsonl'"),
    ],
)
def test_a_malformed_object_resource_is_refused_naming_the_endpoint_and_field(
    storage: StorageClient,
    hostile: HostileServer,
    emulator: EmulatorHandle,
    field: str,
    value: Any,
    problem: str,
) -> None:
    emulator.put_object(str(URI), LINE)

    def change(data: dict[str, Any]) -> None:
        if value is None:
            data.pop(field, None)
        else:
            data[field] = value

    hostile.rule("GET", OBJECT, rewritten(change))
    with pytest.raises(errors.InvalidResponseError) as raised:
        storage.metadata(URI)
    url = f"{hostile.url}/storage/v1/b/acme-tuning/o/support%2Ftrain.jsonl"
    assert str(raised.value) == f"{URI}: GET {url}: the object's {problem}"


def test_a_listing_item_with_a_negative_size_fails_the_listing(
    storage: StorageClient, hostile: HostileServer, emulator: EmulatorHandle
) -> None:
    emulator.put_object(str(URI), LINE)

    def change(data: dict[str, Any]) -> None:
        data["items"][0]["size"] = "-5"

    hostile.rule("GET", LISTING, rewritten(change))
    with pytest.raises(errors.InvalidResponseError, match="the object's size is missing or not"):
        list(storage.list_objects("acme-tuning", "support/"))


def test_an_upload_answered_with_another_object_is_refused(
    storage: StorageClient, hostile: HostileServer
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["name"] = "someone-else.jsonl"

    hostile.rule("POST", r"/upload/storage/v1/b/acme-tuning/o", rewritten(change))
    with pytest.raises(errors.InvalidResponseError, match="name is not the object asked for"):
        storage.upload(LINE, URI, "application/jsonl", size=len(LINE))


def read_all(storage: StorageClient, found: ObjectMetadata) -> bytes:
    def consume(stream: BinaryIO) -> bytes:
        return stream.read()

    return storage.read_media(found, consume)


def media_answer(body: bytes, drip: float | None = None) -> Callable[[Seen], Reply]:
    def script(seen: Seen) -> Reply:
        if seen.query.get("alt") != "media":
            return seen.forward()
        return Reply(200, body, drip=drip)

    return script


def test_media_dripped_a_byte_at_a_time_is_cut_at_the_attempt_deadline(
    hostile: HostileServer, emulator: EmulatorHandle, clock: FakeClock
) -> None:
    # 300 bytes at 0.02 s each would take 6 s; the deadline is 1 s (plus 300 bytes'
    # worth of the media allowance, far below a millisecond).
    data = LINE * 5
    emulator.put_object(str(URI), data)
    hostile.rule("GET", OBJECT, media_answer(data, drip=0.02))
    storage = client(hostile, clock, retry=ONCE, timeouts=Timeouts(total=1.0))
    found = storage.metadata(URI)
    assert found is not None
    with pytest.raises(errors.ReadTimeoutError, match="the answer took longer than the deadline"):
        read_all(storage, found)
    storage.close()


@pytest.mark.parametrize(
    ("served", "problem"),
    [
        # A body longer than the metadata: the read stops at the first byte too many.
        (LINE * 40, "is longer than the {size:,} bytes its metadata says"),
        (LINE[:-10], "has {short:,} bytes where its metadata says {size:,}"),
        # Same length, other bytes: the CRC32C tells.
        (LINE.upper(), "has the crc32c {crc} where its metadata says {ours}"),
    ],
    ids=["longer", "shorter", "other-bytes"],
)
def test_media_other_than_its_metadata_says_is_refused_and_not_retried(
    storage: StorageClient,
    hostile: HostileServer,
    emulator: EmulatorHandle,
    served: bytes,
    problem: str,
) -> None:
    generation = emulator.put_object(str(URI), LINE)
    hostile.rule("GET", OBJECT, media_answer(served))
    found = storage.metadata(URI)
    assert found is not None
    hasher = Hasher()
    hasher.update(served)
    with pytest.raises(MediaMismatchError) as raised:
        read_all(storage, found)
    wanted = problem.format(
        size=len(LINE), short=len(served), crc=hasher.digests().crc32c, ours=found.crc32c
    )
    assert str(raised.value).endswith(
        f"the media of generation {generation} {wanted}; it is not used"
    )
    assert str(raised.value).startswith(f"{URI}: GET ")
    assert not raised.value.retryable
    media = [s for s in hostile.seen if s.query.get("alt") == "media"]
    assert len(media) == 1


def test_media_that_matches_its_metadata_is_read_whole(
    storage: StorageClient, emulator: EmulatorHandle
) -> None:
    emulator.put_object(str(URI), LINE * 3)
    found = storage.metadata(URI)
    assert found is not None
    assert read_all(storage, found) == LINE * 3
