"""A small Cloud Storage JSON API client: object metadata and one-request uploads.

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
import contextlib
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import quote, urlsplit

import requests

from tuneops.backends.auth import AuthProvider
from tuneops.backends.errors import (
    NotFoundError,
    RemoteError,
    TransportError,
    error_class,
    parse_error_body,
)
from tuneops.backends.http import Transport
from tuneops.backends.redact import redact
from tuneops.errors import ConfigError

DEFAULT_ENDPOINT = "https://storage.googleapis.com"
STORAGE_EMULATOR_ENV = "STORAGE_EMULATOR_HOST"
_GS_URI = re.compile(r"gs://(?P<bucket>[a-z0-9][a-z0-9._-]{1,221}[a-z0-9])/(?P<name>[^\s]+)")
_UPLOAD_TIMEOUT = (10.0, 600.0)


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


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


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
    """Object metadata reads (retried through the transport) and uploads."""

    def __init__(self, transport: Transport, endpoint: str) -> None:
        self._transport = transport
        self._endpoint = endpoint
        self._session = requests.Session()

    def close(self) -> None:
        """Closes pooled connections."""
        self._session.close()
        self._transport.close()

    def delete(self, found: ObjectMetadata) -> None:
        """Deletes exactly the generation `found` (nothing if it was replaced since)."""
        params = {"ifGenerationMatch": str(found.generation)}
        self._transport.request(
            "DELETE", self._object_url(found.uri), params=params, idempotent=True
        )

    def _object_url(self, uri: GcsUri) -> str:
        return f"{self._endpoint}/storage/v1/b/{uri.bucket}/o/{quote(uri.name, safe='')}"

    def metadata(self, uri: GcsUri) -> ObjectMetadata | None:
        """The live generation of `uri`, or None when there is no such object."""
        try:
            data = self._transport.request("GET", self._object_url(uri), idempotent=True)
        except NotFoundError:
            return None
        return _metadata(uri, data)

    @contextlib.contextmanager
    def open_media(self, found: ObjectMetadata) -> Iterator[BinaryIO]:
        """The bytes of exactly the generation `found`, as a stream (never held whole)."""
        url = self._object_url(found.uri)
        params = {"alt": "media", "generation": str(found.generation)}
        try:
            response = self._session.get(
                url,
                params=params,
                headers=dict(self._transport.auth.headers()),
                stream=True,
                timeout=_UPLOAD_TIMEOUT,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as exc:
            detail = redact(f"{type(exc).__name__}: {exc}")[:300]
            raise TransportError(detail, method="GET", url=url) from None
        with response:
            if response.status_code != 200:
                rpc_status, message = parse_error_body(_json_or_none(response))
                cls = error_class(response.status_code, rpc_status)
                raise cls(
                    message or f"HTTP {response.status_code}",
                    method="GET",
                    url=url,
                    http_status=response.status_code,
                    rpc_status=rpc_status,
                )
            response.raw.decode_content = True
            # urllib3's response is a readable binary stream (io.IOBase).
            yield cast(BinaryIO, response.raw)

    def upload(self, path: Path, uri: GcsUri, content_type: str) -> ObjectMetadata | None:
        """Uploads `path` unless the object exists; None when it already did (412)."""
        url = f"{self._endpoint}/upload/storage/v1/b/{uri.bucket}/o"
        params = {"uploadType": "media", "name": uri.name, "ifGenerationMatch": "0"}
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        headers.update(self._transport.auth.headers())
        try:
            with path.open("rb") as stream:
                response = self._session.post(
                    url,
                    params=params,
                    data=stream,
                    headers={**headers, "Content-Length": str(path.stat().st_size)},
                    timeout=_UPLOAD_TIMEOUT,
                    allow_redirects=False,
                )
        except requests.exceptions.RequestException as exc:
            # Nothing is visible until an upload completes: the object is simply not there.
            detail = redact(f"{type(exc).__name__}: {exc}")[:300]
            raise TransportError(detail, method="POST", url=url) from None
        if response.status_code == 412:
            return None
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if not 200 <= response.status_code < 300 or not isinstance(body, dict):
            rpc_status, message = parse_error_body(body)
            cls = error_class(response.status_code, rpc_status)
            raise cls(
                message or f"HTTP {response.status_code}",
                method="POST",
                url=url,
                http_status=response.status_code,
                rpc_status=rpc_status,
            )
        return _metadata(uri, body)


def build_storage_client(
    configured_endpoint: str | None,
    env: Mapping[str, str],
    *,
    endpoint: str | None = None,
    access_token: str | None = None,
) -> StorageClient:
    """A client for the storage endpoint (see the module docstring).

    `endpoint` and `access_token` override the rest (the embedded emulator);
    otherwise the Vertex AI credential is used, since the data belongs to the
    jobs, and none at all for a `STORAGE_EMULATOR_HOST`.
    """
    # Imported here: building a backend pulls in credentials machinery the
    # metadata types above do not need.
    from tuneops.backends.clock import SystemClock
    from tuneops.backends.factory import build_auth
    from tuneops.specs.models import BackendKind

    clock = SystemClock()
    auth: AuthProvider
    if endpoint is not None:
        base = _check(endpoint)
        auth = build_auth(BackendKind.VERTEX, env, clock, access_token=access_token)
    else:
        base, emulator = resolve_storage_endpoint(configured_endpoint, env)
        auth = Anonymous() if emulator else build_auth(BackendKind.VERTEX, env, clock)
    return StorageClient(Transport(auth, clock), base)
