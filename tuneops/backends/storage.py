"""A small Cloud Storage JSON API client: metadata, listings, media, one-request uploads.

Every call goes through the transport's one retry loop (`backends/retry.py`), as
Google's own storage client retries: 408, 429, 5xx and dropped connections, with
jittered exponential backoff up to a 120 s deadline; retry warnings and errors
name the object as `gs://bucket/object`.

Endpoint, first match wins (design.md): `STORAGE_EMULATOR_HOST` (the variable
Google's storage clients follow), `storage.endpoint` in tuneops.yaml, the public
service. Like Google's clients, nothing is sent to an emulator host named by
`STORAGE_EMULATOR_HOST` but the request itself: no credential goes there.

Uploads are a single `uploadType=media` request streamed from the file with
`ifGenerationMatch=0`: Cloud Storage makes an object visible only once all of
it arrived, so an interrupted upload leaves nothing behind for a job to use,
and an object already there is never overwritten.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar
from urllib.parse import quote, urlsplit

from tuneops.backends.auth import AuthProvider
from tuneops.backends.errors import (
    ClientError,
    InvalidResponseError,
    NotFoundError,
    RemoteError,
)
from tuneops.backends.http import Timeouts, Transport, TransportOptions, Upload
from tuneops.errors import ConfigError

if TYPE_CHECKING:
    from tuneops.backends.clock import Clock

T = TypeVar("T")

DEFAULT_ENDPOINT = "https://storage.googleapis.com"
STORAGE_EMULATOR_ENV = "STORAGE_EMULATOR_HOST"
_GS_URI = re.compile(r"gs://(?P<bucket>[a-z0-9][a-z0-9._-]{1,221}[a-z0-9])/(?P<name>[^\s]+)")
# The fields of an object that a pin needs; asking for only these keeps a listing
# page of 1000 objects near 100 KB (`fields` asks for a partial response). A
# metadata GET adds the MD5 that an upload is verified by.
PIN_FIELDS = "name,generation,size,crc32c"
OBJECT_FIELDS = f"{PIN_FIELDS},md5Hash"
LIST_PAGE_SIZE = 1000  # the JSON API's largest page
# Media and uploads: a read may wait long while the service takes a large body,
# and a whole attempt may take as long as a gigabyte takes on a slow link.
MEDIA_TIMEOUTS = Timeouts(connect=10.0, read=600.0, total=3600.0)


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


def resolve_storage_endpoint(configured: str | None, env: Mapping[str, str]) -> tuple[str, bool]:
    """(base URL, whether it is an emulator named by STORAGE_EMULATOR_HOST)."""
    emulator = env.get(STORAGE_EMULATOR_ENV)
    if emulator:
        url = emulator if "://" in emulator else f"http://{emulator}"
        return _check(url), True
    return _check(configured or DEFAULT_ENDPOINT), False


def _check(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"the storage endpoint {url!r} is not an http(s) URL")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            "the storage endpoint must be a plain base URL without query, fragment or user info"
        )
    return url.rstrip("/")


def _metadata(uri: GcsUri, data: Mapping[str, Any]) -> ObjectMetadata:
    try:
        return ObjectMetadata(
            uri=uri,
            generation=int(data["generation"]),
            size=int(data["size"]),
            crc32c=str(data.get("crc32c", "")),
            md5=str(data["md5Hash"]) if "md5Hash" in data else None,
        )
    except (KeyError, ValueError, TypeError):
        raise RemoteError(f"object metadata of {uri} lacks generation or size") from None


def file_md5(path: Path) -> str:
    """The base64 MD5 of a file, as Cloud Storage reports `md5Hash` (read in chunks)."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode("ascii")


class Anonymous:
    """No credential: what Google's clients send to a storage emulator."""

    description = "no credential (storage emulator)"

    def headers(self) -> Mapping[str, str]:
        """Nothing."""
        return {}

    def refresh_after_unauthorized(self, rejected: Mapping[str, str]) -> bool:
        """Nothing to renew."""
        return False


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
        return _metadata(uri, data)

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
            items = page.get("items", [])
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
                yield _metadata(GcsUri(bucket, name), item)
            token = page.get("nextPageToken")
            if not token:
                return
            if not isinstance(token, str) or token in seen_tokens:
                # A repeated token would page forever: fail the listing, never loop.
                raise InvalidResponseError(
                    "the listing repeated a page token", method="GET", url=url
                ).about(subject)
            seen_tokens.add(token)
            params["pageToken"] = token

    def read_media(self, found: ObjectMetadata, consume: Callable[[BinaryIO], T]) -> T:
        """`consume` applied to the bytes of exactly the generation `found`, streamed.

        A failure part way through is retried like any read, and `consume` starts
        again from the first byte: it must not keep state between calls.
        """
        params: dict[str, str | int] = {"alt": "media", "generation": str(found.generation)}
        return self._transport.download(
            self._object_url(found.uri),
            consume,
            params=params,
            timeouts=MEDIA_TIMEOUTS,
            subject=str(found.uri),
        )

    def upload(self, source: Path | bytes, uri: GcsUri, content_type: str) -> ObjectMetadata | None:
        """Uploads `source` (a file, or bytes) unless the object exists; None when it
        already did (412).

        Retried like a read: with `ifGenerationMatch=0` a second attempt can never
        overwrite, so an attempt whose answer was lost shows up as a 412 on the
        next, and the caller then reads the object and verifies it like any
        object that was already there.
        """
        url = f"{self._endpoint}/upload/storage/v1/b/{uri.bucket}/o"
        params: dict[str, str | int] = {
            "uploadType": "media",
            "name": uri.name,
            "ifGenerationMatch": "0",
        }
        try:
            body = self._transport.request(
                "POST",
                url,
                params=params,
                idempotent=True,
                upload=Upload(source, content_type),
                timeouts=MEDIA_TIMEOUTS,
                subject=str(uri),
            )
        except ClientError as error:
            if error.http_status == 412:
                return None
            raise
        return _metadata(uri, body)


def build_storage_client(
    configured_endpoint: str | None,
    env: Mapping[str, str],
    *,
    endpoint: str | None = None,
    access_token: str | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    options: TransportOptions | None = None,
) -> StorageClient:
    """A client for the storage endpoint (see the module docstring).

    `endpoint` and `access_token` override the rest (the embedded emulator);
    otherwise the Vertex AI credential is used, since the data belongs to the
    jobs, and none at all for a `STORAGE_EMULATOR_HOST`. `clock` and `rng` make
    the retries testable; `options` are the transport's (the retry policy of
    every other call by default: 120 s, like Google's own storage client).
    """
    # Imported here: building a backend pulls in credentials machinery the
    # metadata types above do not need.
    from tuneops.backends.clock import SystemClock
    from tuneops.backends.factory import build_auth
    from tuneops.specs.models import BackendKind

    clock = clock or SystemClock()
    auth: AuthProvider
    if endpoint is not None:
        base = _check(endpoint)
        auth = build_auth(BackendKind.VERTEX, env, clock, access_token=access_token)
    else:
        base, emulator = resolve_storage_endpoint(configured_endpoint, env)
        auth = Anonymous() if emulator else build_auth(BackendKind.VERTEX, env, clock)
    return StorageClient(Transport(auth, clock, options, rng), base)
