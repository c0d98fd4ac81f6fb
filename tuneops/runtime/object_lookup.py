"""Reading the metadata of many `gs://` objects at the cost of pages, not objects.

A stack's datasets usually sit together (`gs://acme-tuning/<team>/<spec>/train.jsonl`),
so the objects of one bucket are read from `objects.list` pages (1000 objects a
request, only the fields of a pin) under the longest prefix they share, starting
at the first wanted name and stopping past the last. Scattered objects, and
buckets with only a few wanted ones, are read with one metadata GET each.

A listing is not allowed to cost more than GETs would: when its pages yield
fewer than two wanted objects each on average (the wanted objects are sparse
among others), it stops, and the wanted names it has not reached yet are read
with GETs. A wanted name that a completed stretch of the listing passed without
showing does not exist (listings are strongly consistent in Cloud Storage).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from tuneops.backends.storage.client import LIST_PAGE_SIZE, GcsUri, ObjectMetadata, StorageClient

# Fewer wanted objects than this in a bucket: GETs, since a page costs more than one.
MIN_LISTED = 3
# A listing goes on while its pages stay within FREE_PAGES + found / WANTED_PER_PAGE.
FREE_PAGES = 2
WANTED_PER_PAGE = 2

Found = dict[GcsUri, ObjectMetadata | None]


def look_up(storage: StorageClient, uris: Iterable[GcsUri], workers: int) -> Found:
    """The live generation of each of `uris` (None: no such object)."""
    by_bucket: dict[str, list[str]] = {}
    for uri in sorted(set(uris)):
        by_bucket.setdefault(uri.bucket, []).append(uri.name)
    listed = {bucket: names for bucket, names in by_bucket.items() if len(names) >= MIN_LISTED}
    singles = [
        GcsUri(bucket, name)
        for bucket, names in by_bucket.items()
        if bucket not in listed
        for name in names
    ]
    found: Found = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        listings = pool.map(lambda item: _list(storage, *item), sorted(listed.items()))
        gets = list(pool.map(storage.metadata, singles))
        left: list[GcsUri] = []
        for seen, unread in listings:
            found.update(seen)
            left += unread
        found.update(zip(singles, gets, strict=True))
        found.update(zip(left, pool.map(storage.metadata, left), strict=True))
    return found


def _list(storage: StorageClient, bucket: str, names: Sequence[str]) -> tuple[Found, list[GcsUri]]:
    """(what one bucket's listing showed of the sorted `names`, the names it did not reach)."""
    wanted = set(names)
    found: Found = {}
    covered = names[-1]  # every wanted name up to here was either listed or is absent
    prefix = _shared_prefix(names[0], names[-1])  # of sorted names: everyone's
    listing = storage.list_objects(bucket, prefix, start_offset=names[0])
    for listed, item in enumerate(listing, start=1):
        name = item.uri.name
        if name > names[-1]:
            break
        if name in wanted:
            found[item.uri] = item
        pages = listed / LIST_PAGE_SIZE
        if pages >= FREE_PAGES and pages > FREE_PAGES + len(found) / WANTED_PER_PAGE:
            covered = name  # sparse: the rest is cheaper one GET at a time
            break
    unread: list[GcsUri] = []
    for name in names:
        uri = GcsUri(bucket, name)
        if uri not in found:
            if name <= covered:
                found[uri] = None
            else:
                unread.append(uri)
    return found, unread


def _shared_prefix(first: str, last: str) -> str:
    """The characters both names start with (a Cloud Storage prefix is not a path)."""
    size = 0
    for a, b in zip(first, last, strict=False):
        if a != b:
            break
        size += 1
    return first[:size]
