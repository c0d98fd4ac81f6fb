"""A subset of the Cloud Storage JSON API, served on the emulator's port.

Enough for the official `google-cloud-storage` client (through
`STORAGE_EMULATOR_HOST`) and for tuneops: buckets (create, get), objects (insert
with `uploadType=media` or `multipart`, get metadata, get media, list, delete),
generations (`generation=`, `versions=true`), the generation and
metageneration preconditions (`ifGenerationMatch`, `ifGenerationNotMatch`,
`ifMetagenerationMatch`, `ifMetagenerationNotMatch`) on uploads, reads and
deletes, `startOffset`/`endOffset` and partial answers (`fields`) of
object reads and listings. Requests are not authenticated: Google's clients send none to an
emulator host. Resumable uploads are not served (docs/emulator.md).
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote

from tuneops.emulator.clock import format_time
from tuneops.emulator.errors import ApiError, JsonObject
from tuneops.emulator.object_store import StoredObject
from tuneops.emulator.partial import MaskError, parse_mask, select
from tuneops.emulator.routing import Api, Call, Raw, Route
from tuneops.emulator.state import EmulatorState

_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")
_PAGE = 1000
_COMMON = frozenset({"projection", "userProject"})
_PRECONDITIONS = frozenset(
    {
        "ifGenerationMatch",
        "ifGenerationNotMatch",
        "ifMetagenerationMatch",
        "ifMetagenerationNotMatch",
    }
)
# The emulator never patches object metadata, so every generation keeps its first.
_METAGENERATION = 1


class StorageError(ApiError):
    """An error in the Cloud Storage envelope: `{"error": {code, message, errors[]}}`."""

    def __init__(self, http_status: int, reason: str, message: str) -> None:
        status = {404: "NOT_FOUND", 412: "FAILED_PRECONDITION", 409: "ALREADY_EXISTS"}.get(
            http_status, "INVALID_ARGUMENT"
        )
        super().__init__(status, message, http_status=http_status)
        self.reason = reason

    def body(self) -> JsonObject:
        """The JSON API error body."""
        error = {"message": self.message, "domain": "global", "reason": self.reason}
        return {"error": {"code": self.http_status, "message": self.message, "errors": [error]}}


def _no_object(bucket: str, name: str) -> StorageError:
    return StorageError(404, "notFound", f"No such object: {bucket}/{name}")


def _condition_failed() -> StorageError:
    message = "At least one of the pre-conditions you specified did not hold."
    return StorageError(412, "conditionNotMet", message)


def _bucket(call: Call) -> str:
    bucket = call.params["bucket"]
    if not _BUCKET.fullmatch(bucket):
        raise StorageError(400, "invalid", f"Invalid bucket name: '{bucket}'")
    return bucket


def _int_query(call: Call, name: str) -> int | None:
    text = call.query(name)
    if text is None or text == "":
        return None
    if not text.lstrip("-").isdigit():
        raise StorageError(400, "invalid", f"Invalid argument for {name}: {text}")
    return int(text)


def _fields(call: Call, answer: JsonObject) -> JsonObject:
    """The members of `answer` the `fields` parameter asks for (all without one)."""
    text = call.query("fields")
    if not text:
        return answer
    try:
        mask = parse_mask(text)
    except MaskError:
        raise StorageError(400, "invalidParameter", f"Invalid field selection {text}") from None
    selected: JsonObject = select(answer, mask)
    return selected


def _base_url(call: Call) -> str:
    return f"http://{call.request.headers.get('host', '127.0.0.1')}"


def object_resource(found: StoredObject, base_url: str) -> JsonObject:
    """The JSON metadata of one object generation."""
    quoted = quote(found.name, safe="")
    path = f"/b/{found.bucket}/o/{quoted}"
    created = format_time(found.create_us)
    return {
        "kind": "storage#object",
        "id": f"{found.bucket}/{found.name}/{found.generation}",
        "selfLink": f"{base_url}/storage/v1{path}",
        "mediaLink": f"{base_url}/download/storage/v1{path}"
        f"?generation={found.generation}&alt=media",
        "name": found.name,
        "bucket": found.bucket,
        "generation": str(found.generation),
        "metageneration": "1",
        "contentType": found.content_type,
        "storageClass": "STANDARD",
        "size": str(found.size),
        "md5Hash": found.md5,
        "crc32c": found.crc32c,
        "etag": base64.b64encode(str(found.generation).encode()).decode("ascii"),
        "timeCreated": created,
        "updated": created,
        "timeStorageClassUpdated": created,
    }


def _bucket_resource(name: str, create_us: int) -> JsonObject:
    created = format_time(create_us)
    return {
        "kind": "storage#bucket",
        "id": name,
        "name": name,
        "location": "US",
        "storageClass": "STANDARD",
        "metageneration": "1",
        "timeCreated": created,
        "updated": created,
    }


def create_bucket(state: EmulatorState, call: Call) -> JsonObject:
    """POST /storage/v1/b?project=P with `{"name": ...}`."""
    try:
        body = json.loads(call.request.body or b"{}")
    except json.JSONDecodeError:
        raise StorageError(400, "parseError", "Parse Error") from None
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not _BUCKET.fullmatch(name):
        raise StorageError(400, "invalid", f"Invalid bucket name: '{name}'")
    with state.lock:
        objects = state.store.objects
        if objects.bucket_exists(name):
            message = (
                "Your previous request to create the named bucket succeeded and you already own it."
            )
            raise StorageError(409, "conflict", message)
        now = state.now_us()
        objects.ensure_bucket(name, now)
    return _bucket_resource(name, now)


def get_bucket(state: EmulatorState, call: Call) -> JsonObject:
    """GET /storage/v1/b/{bucket}."""
    bucket = _bucket(call)
    with state.lock:
        if not state.store.objects.bucket_exists(bucket):
            raise StorageError(404, "notFound", "The specified bucket does not exist.")
    return _bucket_resource(bucket, 0)


class NotModifiedError(Exception):
    """A read whose `if...NotMatch` precondition failed: GCS answers 304, not 412."""


def _check_preconditions(call: Call, current: StoredObject | None, *, read: bool) -> None:
    """Holds the request to its preconditions, as Cloud Storage does.

    `current` is the generation addressed (the live one unless `generation=`
    names another), None when there is none. A generation of `0` stands for "no
    live object": `ifGenerationMatch=0` passes only when there is none, and
    `ifGenerationNotMatch=0` only when there is one. A `NotMatch` precondition
    fails when there is no object at all. A failed `Match` is 412 Precondition
    Failed; a failed `NotMatch` is 304 Not Modified on a read (the HTTP
    `If-None-Match` rule) and 412 on a write or delete.
    """
    generation = current.generation if current is not None else 0
    metageneration = _METAGENERATION if current is not None else None
    match = _int_query(call, "ifGenerationMatch")
    if match is not None and generation != match:
        raise _condition_failed()
    meta_match = _int_query(call, "ifMetagenerationMatch")
    if meta_match is not None and metageneration != meta_match:
        raise _condition_failed()
    not_match = _int_query(call, "ifGenerationNotMatch")
    meta_not_match = _int_query(call, "ifMetagenerationNotMatch")
    failed_not_match = (not_match is not None and (current is None or generation == not_match)) or (
        meta_not_match is not None and (current is None or metageneration == meta_not_match)
    )
    if failed_not_match:
        if read and current is not None:
            raise NotModifiedError
        raise _condition_failed()


def _upload_body(call: Call) -> tuple[str | None, bytes, str]:
    """(object name from metadata, media bytes, content type) of an upload request."""
    kind = call.query("uploadType")
    content_type = call.request.headers.get("content-type", "application/octet-stream")
    if kind == "media":
        return None, call.request.body, content_type
    if kind != "multipart":
        message = f"uploadType={kind} is not supported by the emulator; use media or multipart"
        raise StorageError(400, "invalid", message)
    boundary = re.search(r'boundary="?([^";]+)"?', content_type)
    if boundary is None:
        raise StorageError(400, "invalid", "multipart upload without a boundary")
    parts = call.request.body.split(b"--" + boundary.group(1).encode())
    # parts: preamble, metadata, media, closing "--"
    if len(parts) < 4:
        raise StorageError(400, "invalid", "multipart upload needs metadata and media parts")
    sections = [_part(part) for part in parts[1:3]]
    (_, meta), (media_headers, media) = sections
    try:
        metadata = json.loads(meta)
    except json.JSONDecodeError:
        raise StorageError(400, "parseError", "Parse Error") from None
    name = metadata.get("name") if isinstance(metadata, dict) else None
    media_type = str(metadata.get("contentType") or media_headers.get("content-type", ""))
    return (str(name) if name else None), media, media_type or "application/octet-stream"


def _part(raw: bytes) -> tuple[dict[str, str], bytes]:
    head, _, body = raw.removeprefix(b"\r\n").partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode("latin-1").split("\r\n"):
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return headers, body.removesuffix(b"\r\n")


def insert_object(state: EmulatorState, call: Call) -> JsonObject:
    """POST /upload/storage/v1/b/{bucket}/o?uploadType=media|multipart."""
    bucket = _bucket(call)
    meta_name, data, content_type = _upload_body(call)
    name = call.query("name") or meta_name
    if not name:
        raise StorageError(400, "required", "Required parameter: name")
    with state.lock:
        objects = state.store.objects
        _check_preconditions(call, objects.get(bucket, name), read=False)
        stored = objects.put(bucket, name, data, content_type, state.now_us())
    return object_resource(stored, _base_url(call))


def _find(state: EmulatorState, call: Call, *, read: bool = True) -> StoredObject:
    bucket, name = _bucket(call), call.params["object"]
    found = state.store.objects.get(bucket, name, _int_query(call, "generation"))
    if found is None:
        raise _no_object(bucket, name)
    _check_preconditions(call, found, read=read)
    return found


def get_object(state: EmulatorState, call: Call) -> JsonObject | Raw:
    """GET /storage/v1/b/{bucket}/o/{object}: metadata, or the bytes with alt=media."""
    with state.lock:
        try:
            found = _find(state, call)
        except NotModifiedError:
            return Raw(304, b"")
        if call.query("alt") != "media":
            return _fields(call, object_resource(found, _base_url(call)))
        data = state.store.objects.data(found)
    headers = {
        "X-Goog-Generation": str(found.generation),
        "X-Goog-Hash": f"crc32c={found.crc32c},md5={found.md5}",
        "X-Goog-Stored-Content-Length": str(found.size),
    }
    return Raw(200, data, found.content_type, headers)


def download_object(state: EmulatorState, call: Call) -> JsonObject | Raw:
    """GET /download/storage/v1/b/{bucket}/o/{object}: always the bytes."""
    with state.lock:
        try:
            found = _find(state, call)
        except NotModifiedError:
            return Raw(304, b"")
        data = state.store.objects.data(found)
    headers = {
        "X-Goog-Generation": str(found.generation),
        "X-Goog-Hash": f"crc32c={found.crc32c},md5={found.md5}",
    }
    return Raw(200, data, found.content_type, headers)


def delete_object(state: EmulatorState, call: Call) -> Raw:
    """DELETE /storage/v1/b/{bucket}/o/{object}: the generation becomes noncurrent."""
    with state.lock:
        found = _find(state, call, read=False)
        state.store.objects.delete(found)
    return Raw(204, b"")


def list_objects(state: EmulatorState, call: Call) -> JsonObject:
    """GET /storage/v1/b/{bucket}/o?prefix=&versions=&maxResults=&pageToken=."""
    bucket = _bucket(call)
    size = min(_int_query(call, "maxResults") or _PAGE, _PAGE)
    token = call.query("pageToken") or ""
    try:
        after = base64.urlsafe_b64decode(token.encode()).decode() if token else ""
    except ValueError:
        raise StorageError(400, "invalid", "Invalid page token") from None
    versions = (call.query("versions") or "").lower() == "true"
    start, end = call.query("startOffset") or "", call.query("endOffset") or ""
    base = _base_url(call)
    with state.lock:
        prefix = call.query("prefix") or ""
        found = state.store.objects.scan(bucket, prefix, after, versions, start)
        items: list[JsonObject] = []
        next_name = None
        for stored in found:
            if end and stored.name >= end:
                break
            if len(items) == size and stored.name != items[-1]["name"]:
                next_name = str(items[-1]["name"])
                break
            items.append(object_resource(stored, base))
    page: JsonObject = {"kind": "storage#objects"}
    if items:
        page["items"] = items
    if next_name is not None:
        page["nextPageToken"] = base64.urlsafe_b64encode(next_name.encode()).decode()
    return _fields(call, page)


_OBJECT = "/storage/v1/b/{bucket}/o/{object}"
_READ = _COMMON | _PRECONDITIONS | {"generation"}
ROUTES = [
    Route("POST", "/storage/v1/b", Api.STORAGE, create_bucket, (), _COMMON | {"project"}),
    Route("GET", "/storage/v1/b/{bucket}", Api.STORAGE, get_bucket, (), _COMMON),
    Route(
        "POST",
        "/upload/storage/v1/b/{bucket}/o",
        Api.STORAGE,
        insert_object,
        (),
        _COMMON | _PRECONDITIONS | {"name", "contentEncoding", "predefinedAcl", "kmsKeyName"},
    ),
    Route(
        "GET",
        "/storage/v1/b/{bucket}/o",
        Api.STORAGE,
        list_objects,
        (),
        _COMMON
        | {
            "prefix",
            "versions",
            "maxResults",
            "pageToken",
            "delimiter",
            "startOffset",
            "endOffset",
        },
    ),
    Route("GET", _OBJECT, Api.STORAGE, get_object, (), _READ),
    Route("GET", "/download" + _OBJECT, Api.STORAGE, download_object, (), _READ),
    Route("DELETE", _OBJECT, Api.STORAGE, delete_object, (), _READ),
]
