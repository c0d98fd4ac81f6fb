"""Pins at the cost of pages: listings where objects sit together, GETs where they do not.

Over real HTTP against the emulator, counting the requests it served.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from tests.backends.support import FakeClock
from tuneops.backends.construction import build_storage_client
from tuneops.backends.storage.client import GcsUri, StorageClient
from tuneops.emulator import EmulatorHandle
from tuneops.runtime.object_lookup import look_up

LIST = "GET /storage/v1/b/{bucket}/o"
GET = "GET /storage/v1/b/{bucket}/o/{object}"


@pytest.fixture
def storage(emulator: EmulatorHandle) -> Iterator[StorageClient]:
    env = {"STORAGE_EMULATOR_HOST": emulator.url}
    client = build_storage_client(None, env, clock=FakeClock(), rng=random.Random(1))
    yield client
    client.close()


def put(emulator: EmulatorHandle, *names: str, bucket: str = "acme") -> None:
    for name in names:
        emulator.put_object(f"gs://{bucket}/{name}", b"{}\n")


def test_objects_that_sit_together_come_from_one_page_and_absent_ones_are_none(
    storage: StorageClient, emulator: EmulatorHandle
) -> None:
    put(emulator, "other/x", *(f"stack/{i}/train.jsonl" for i in range(5)), "zzz")
    wanted = [GcsUri("acme", f"stack/{i}/train.jsonl") for i in range(6)]  # 5 is missing
    emulator.clear_request_counts()
    found = look_up(storage, wanted, workers=4)
    assert {uri.name for uri, meta in found.items() if meta is None} == {"stack/5/train.jsonl"}
    assert len(found) == 6
    assert emulator.request_counts() == {LIST: 1}


def test_a_few_objects_in_a_bucket_are_read_one_get_each(
    storage: StorageClient, emulator: EmulatorHandle
) -> None:
    put(emulator, "a", "b")
    emulator.clear_request_counts()
    found = look_up(storage, [GcsUri("acme", "a"), GcsUri("acme", "b")], workers=2)
    assert all(meta is not None for meta in found.values())
    assert emulator.request_counts() == {GET: 2}


def test_a_listing_among_many_other_objects_gives_up_and_the_rest_are_read_by_get(
    storage: StorageClient, emulator: EmulatorHandle
) -> None:
    put(emulator, "a/0", *(f"b/{i:05d}" for i in range(3000)), "c/1", "c/2")
    wanted = [GcsUri("acme", n) for n in ("a/0", "a/5", "c/1", "c/2")]  # a/5 is missing
    emulator.clear_request_counts()
    found = look_up(storage, wanted, workers=2)
    assert found[GcsUri("acme", "a/5")] is None
    assert all(found[uri] is not None for uri in wanted if uri.name != "a/5")
    # Three pages yielded one wanted object (under two a page): stop, GET the two left.
    assert emulator.request_counts() == {LIST: 3, GET: 2}
