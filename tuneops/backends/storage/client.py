"""A small Cloud Storage JSON API client: metadata, listings, media, one-request uploads.

Every call goes through the transport's one retry loop (`backends/transport/retry.py`), as
Google's own storage client retries: 408, 429, 5xx and dropped connections, with
jittered exponential backoff up to a 120 s deadline; retry warnings and errors
name the object as `gs://bucket/object`.

Which endpoint and credential a client gets is decided where it is built
(`backends/construction.py`): `STORAGE_EMULATOR_HOST`, `storage.endpoint` in
tuneops.yaml, then the public service (`DEFAULT_ENDPOINT`).

Uploads are a single `uploadType=media` request streamed from the file with
`ifGenerationMatch=0` (or the one generation a caller means to replace): Cloud
Storage makes an object visible only once all of it arrived, so an interrupted
upload leaves nothing behind for a job to use, and no other object is ever
overwritten.

Answers are untrusted (issue 22): every object resource is shape-checked before
use (name, generation, size, checksums; an error names the endpoint and the
field), and media is read under the transport's own deadlines, with time
allowed for its size, and checked against its metadata while it is read: a
byte past the metadata's size stops the read at once, and a body of another
length or CRC32C is refused, never used.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast
from urllib.parse import quote

from tuneops.backends.storage.checksums import Hasher
from tuneops.backends.transport.errors import (
    ClientError,
    InvalidResponseError,
    NotFoundError,
)
from tuneops.backends.transport.http import Timeouts, Transport, Upload
from tuneops.errors import ConfigError

T = TypeVar("T")

DEFAULT_ENDPOINT = "https://storage.googleapis.com"
_GS_URI = re.compile(r"gs://(?P<bucket>[a-z0-9][a-z0-9._-]{1,221}[a-z0-9])/(?P<name>[^\s]+)")
# The fields of an object that a pin needs; asking for only these keeps a listing
# page of 1000 objects near 100 KB (`fields` asks for a partial response). A
# metadata GET adds the MD5 that an upload is verified by.
PIN_FIELDS = "name,generation,size,crc32c"
OBJECT_FIELDS = f"{PIN_FIELDS},md5Hash"
LIST_PAGE_SIZE = 1000  # the JSON API's largest page
# Media and uploads get the transport's own deadlines (those of every Vertex
# call) plus one second per MiB of the object: a gigabyte is allowed 17 more
# minutes, a 300-byte object no more than a job listing. A slower link than
# that is treated as a broken one.
MEDIA_BYTES_PER_SECOND = 1024 * 1024
# Generations are microsecond timestamps; sizes fit Cloud Storage's 5 TiB limit.
_MAX_INT64 = 2**63 - 1


@dataclass(frozen=True, slots=True, order=True)
class GcsUri:
    """`gs://bucket/name`."""

    bucket: str
    name: str

    @classmethod
    def parse(cls, uri: str) -> GcsUri:
        """The bucket and object of a `gs://` URI; `ConfigError` for anything else."""
        found = _GS_URI.fullmatch(uri)
        if found is None:
            raise ConfigError(f"{uri!r} is not a gs://bucket/object URI")
        return cls(found["bucket"], found["name"])

    def __str__(self) -> str:
        return f"gs://{self.bucket}/{self.name}"


@dataclass(frozen=True, slots=True)
class ObjectMetadata:
    """What identifies one version of an object: its generation, size and checksums."""

    uri: GcsUri
    generation: int
    size: int
    crc32c: str
    md5: str | None


def media_timeouts(base: Timeouts, size: int) -> Timeouts:
    """The deadlines of one media read or upload of `size` bytes (see MEDIA_BYTES_PER_SECOND)."""
    return Timeouts(
        connect=base.connect, read=base.read, total=base.total + size / MEDIA_BYTES_PER_SECOND
    )


def _count(value: Any, *, least: int) -> int | None:
    """An int64 field (a JSON string of digits, as the API writes them, or a number)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and least <= value <= _MAX_INT64:
        return value
    return None


def _checksum(value: Any, size: int) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return len(base64.b64decode(value, validate=True)) == size
    except (binascii.Error, ValueError):
        return False


def _metadata(
    uri: GcsUri, data: Mapping[str, Any], *, method: str = "GET", url: str | None = None
) -> ObjectMetadata:
    """The object resource `data`, checked to be `uri`'s before it is believed."""

    def invalid(field: str, problem: str) -> InvalidResponseError:
        shown = str(data.get(field))[:100] if isinstance(data, Mapping) else ""
        error = InvalidResponseError(
            f"the object's {field} {problem}: {shown!r}", method=method, url=url
        )
        error.about(str(uri))
        return error

    if not isinstance(data, Mapping):
        raise InvalidResponseError(
            "the object resource is not a JSON object", method=method, url=url
        ).about(str(uri))
    if data.get("name") != uri.name:
        raise invalid("name", "is not the object asked for")
    generation = _count(data.get("generation"), least=1)
    if generation is None:
        raise invalid("generation", "is missing or not a positive int64")
    size = _count(data.get("size"), least=0)
    if size is None:
        raise invalid("size", "is missing or not a non-negative int64")
    crc32c = data.get("crc32c")
    if not isinstance(crc32c, str) or not _checksum(crc32c, 4):
        raise invalid("crc32c", "is missing or not the base64 of 4 bytes")
    md5 = data.get("md5Hash")
    if md5 is not None and (not isinstance(md5, str) or not _checksum(md5, 16)):
        raise invalid("md5Hash", "is not the base64 of 16 bytes")
    return ObjectMetadata(uri=uri, generation=generation, size=size, crc32c=crc32c, md5=md5)


class MediaMismatchError(InvalidResponseError):
    """Media whose bytes are not what the object's metadata says: never used, not retried."""

    retryable = False
    may_have_committed = False


class _CheckedMedia(io.RawIOBase):
    """The body of one media read, checked against its metadata as it is read.

    A byte past the metadata's size stops the read at once (a body that never
    ends costs one byte more than the object); at the end, the length and the
    CRC32C (and MD5, when the object has one) must be the metadata's.
    """

    def __init__(self, raw: BinaryIO, found: ObjectMetadata, url: str) -> None:
        super().__init__()
        self._raw = raw
        self._found = found
        self._url = url
        self._hasher = Hasher()
        self._seen = 0
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._ended:
            return 0
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self._found.size - self._seen + 1)
        chunk = self._raw.read(wanted)
        if not chunk:
            self._ended = True
            self._check_end()
            return 0
        self._seen += len(chunk)
        if self._seen > self._found.size:
            raise self._mismatch(f"is longer than the {self._found.size:,} bytes its metadata says")
        self._hasher.update(chunk)
        view[: len(chunk)] = chunk
        return len(chunk)

    def _check_end(self) -> None:
        found, digests = self._found, self._hasher.digests()
        if self._seen != found.size:
            raise self._mismatch(f"has {self._seen:,} bytes where its metadata says {found.size:,}")
        if digests.crc32c != found.crc32c:
            raise self._mismatch(
                f"has the crc32c {digests.crc32c} where its metadata says {found.crc32c}"
            )
        if found.md5 is not None and digests.md5 != found.md5:
            raise self._mismatch(
                f"has the md5Hash {digests.md5} where its metadata says {found.md5}"
            )

    def _mismatch(self, problem: str) -> MediaMismatchError:
        return MediaMismatchError(
            f"the media of generation {self._found.generation} {problem}; it is not used",
            method="GET",
            url=self._url,
        )


class StorageClient:
    """Object metadata, listings, media and uploads, every call retried by the transport."""

    def __init__(self, transport: Transport, endpoint: str) -> None:
        self._transport = transport
        self._endpoint = endpoint

    def close(self) -> None:
        """Closes pooled connections."""
        self._transport.close()

    def delete(self, found: ObjectMetadata) -> None:
        """Deletes exactly the generation `found` (nothing if it was replaced since)."""
        params = {"ifGenerationMatch": str(found.generation)}
        self._transport.request(
            "DELETE",
            self._object_url(found.uri),
            params=params,
            idempotent=True,
            subject=str(found.uri),
        )

    def _object_url(self, uri: GcsUri) -> str:
        return f"{self._endpoint}/storage/v1/b/{uri.bucket}/o/{quote(uri.name, safe='')}"

    def metadata(self, uri: GcsUri) -> ObjectMetadata | None:
        """The live generation of `uri`, or None when there is no such object."""
        try:
            data = self._transport.request(
                "GET",
                self._object_url(uri),
                params={"fields": OBJECT_FIELDS},
                idempotent=True,
                subject=str(uri),
            )
        except NotFoundError:
            return None
        return _metadata(uri, data, url=self._object_url(uri))

    def list_objects(
        self,
        bucket: str,
        prefix: str,
        *,
        start_offset: str | None = None,
        page_size: int = LIST_PAGE_SIZE,
    ) -> Iterator[ObjectMetadata]:
        """The live objects whose names start with `prefix`, by name, page by page.

        Each page is fetched when the one before is used up (a caller may stop
        early) and retried like any read; only the fields of a pin are asked for,
        which keeps a page of 1000 objects near 100 KB. `start_offset` skips the
        names before it.
        """
        url = f"{self._endpoint}/storage/v1/b/{bucket}/o"
        subject = f"gs://{bucket}/{prefix}*"
        params: dict[str, str | int] = {
            "prefix": prefix,
            "maxResults": page_size,
            "fields": f"nextPageToken,items({PIN_FIELDS})",
        }
        if start_offset:
            params["startOffset"] = start_offset
        seen_tokens: set[str] = set()
        while True:
            page = self._transport.request(
                "GET", url, params=params, idempotent=True, subject=subject
            )
            items = page.get("items", [])  # a page may hold none
            if not isinstance(items, list):
                raise InvalidResponseError(
                    "the listing's items are not a list", method="GET", url=url
                ).about(subject)
            for item in items:
                name = item.get("name") if isinstance(item, dict) else None
                if not isinstance(name, str):
                    raise InvalidResponseError(
                        "an object in the listing has no name", method="GET", url=url
                    ).about(subject)
                yield _metadata(GcsUri(bucket, name), item, url=url)
            token = page.get("nextPageToken")
            if token is None or token == "":
                return
            if not isinstance(token, str):
                raise InvalidResponseError(
                    "the listing's nextPageToken is not a string", method="GET", url=url
                ).about(subject)
            if token in seen_tokens:
                # A repeated token would page forever: fail the listing, never loop.
                raise InvalidResponseError(
                    "the listing repeated a page token", method="GET", url=url
                ).about(subject)
            seen_tokens.add(token)
            params["pageToken"] = token

    def read_media(self, found: ObjectMetadata, consume: Callable[[BinaryIO], T]) -> T:
        """`consume` applied to the bytes of exactly the generation `found`, streamed.

        The bytes are checked against `found` as they are read (see
        `_CheckedMedia`): a body of another size or CRC32C raises
        `MediaMismatchError` whatever `consume` made of it. The read runs under
        the transport's deadlines plus time for the size (`media_timeouts`).
        A failure part way through is retried like any read, and `consume`
        starts again from the first byte: it must not keep state between calls.
        """
        url = self._object_url(found.uri)
        params: dict[str, str | int] = {"alt": "media", "generation": str(found.generation)}

        def checked(raw: BinaryIO) -> T:
            stream = io.BufferedReader(_CheckedMedia(raw, found, url))
            result = consume(cast(BinaryIO, stream))
            while stream.read(1024 * 1024):  # what consume left is checked too
                pass
            return result

        return self._transport.download(
            url,
            checked,
            params=params,
            timeouts=media_timeouts(self._transport.options.timeouts, found.size),
            subject=str(found.uri),
        )

    def upload(
        self,
        source: Path | bytes | BinaryIO,
        uri: GcsUri,
        content_type: str,
        *,
        size: int,
        replacing: int | None = None,
    ) -> ObjectMetadata | None:
        """Uploads `source` (a file, bytes, or a seekable stream sent from its start)
        unless the object exists; None when it already did (412).

        `replacing` is the one generation the upload may overwrite
        (`ifGenerationMatch`); otherwise it may overwrite none. Retried like a
        read: a second attempt can never overwrite anything else, so an attempt
        whose answer was lost shows up as a 412 on the next, and the caller then
        reads the object and verifies it like any object that was already there.
        `size` (of the bytes sent) sets the deadlines (`media_timeouts`).
        """
        url = f"{self._endpoint}/upload/storage/v1/b/{uri.bucket}/o"
        params: dict[str, str | int] = {
            "uploadType": "media",
            "name": uri.name,
            "ifGenerationMatch": str(replacing or 0),
        }
        try:
            body = self._transport.request(
                "POST",
                url,
                params=params,
                idempotent=True,
                upload=Upload(source, content_type),
                timeouts=media_timeouts(self._transport.options.timeouts, size),
                subject=str(uri),
            )
        except ClientError as error:
            if error.http_status == 412:
                return None
            raise
        return _metadata(uri, body, method="POST", url=url)
