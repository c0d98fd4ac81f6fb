"""Uploading local Vertex datasets to the staging bucket, content-addressed.

A spec's `trainingData.file` becomes `{stagingBucket}/{stack}/{sha256}.jsonl`
just before its job is created: the name is the content, so the same data is
never uploaded twice.

The file is opened once (`LocalDataset.open`: no symlink followed, the
descriptor checked to be the file that was validated) and everything is read
from that one descriptor: its SHA-256 (which must still be the name), MD5 and
CRC32C first, then the upload. An object is trained on only when its size and
CRC32C (and MD5, when it has one) are those tuneops computed: the service
computes them of the bytes it stored, so the object is the bytes that were
hashed. An object already under the name with other content is replaced,
under `ifGenerationMatch` of exactly that generation (a racing apply's correct
upload is never overwritten); an upload whose object does not match is deleted
(its generation only) and the error says so. Every upload is one request, so an
interrupted one leaves no object, and the job is only created once the object
is verified.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import BinaryIO

from tuneops.backends.storage.checksums import Digests, Hasher
from tuneops.backends.storage.client import GcsUri, ObjectMetadata, StorageClient
from tuneops.backends.transport.errors import RemoteError
from tuneops.errors import TuneopsError
from tuneops.specs.kinds import LocalDataset
from tuneops.specs.models import JobSpec, VertexSpec

CONTENT_TYPE = "application/jsonl"
log = logging.getLogger("tuneops.runtime")


class StagingError(TuneopsError):
    """A local dataset cannot be staged safely."""


def staged_uri(staging_bucket: str, stack: str, dataset: LocalDataset) -> GcsUri:
    """Where `dataset` lives in the staging bucket: `{prefix}/{stack}/{sha256}.jsonl`."""
    bucket, _, prefix = staging_bucket.removeprefix("gs://").partition("/")
    folder = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    return GcsUri(bucket, f"{folder}{stack}/{dataset.sha256}.jsonl")


def _digests(stream: BinaryIO) -> Digests:
    """The size, SHA-256, MD5 and CRC32C of what is left in `stream`, read in chunks."""
    hasher = Hasher()
    while chunk := stream.read(1024 * 1024):
        hasher.update(chunk)
    return hasher.digests()


def _holds(found: ObjectMetadata, ours: Digests) -> bool:
    """The object's own size and checksums are those of our bytes."""
    return (
        found.size == ours.size
        and found.crc32c == ours.crc32c
        and (found.md5 is None or found.md5 == ours.md5)
    )


def _described(found: ObjectMetadata) -> str:
    return f"{found.size:,} bytes, crc32c {found.crc32c}, generation {found.generation}"


class Stager:
    """Stages the local datasets of specs before their jobs are created; thread-safe."""

    def __init__(self, storage: StorageClient, staging_bucket: str, stack: str) -> None:
        self.storage = storage
        self.staging_bucket = staging_bucket
        self.stack = stack
        self._lock = threading.Lock()
        self._done: dict[str, GcsUri] = {}
        self.uploaded: list[GcsUri] = []

    def stage(self, spec: JobSpec) -> JobSpec:
        """`spec` with its local datasets replaced by their verified staged URIs."""
        if not spec.local_datasets or not isinstance(spec.spec, VertexSpec):
            return spec
        uris = {d.role: str(self._ensure(d)) for d in spec.local_datasets}
        update: dict[str, str] = {}
        if "training" in uris:
            update["training_dataset"] = uris["training"]
        if "validation" in uris:
            update["validation_dataset"] = uris["validation"]
        return replace(spec, spec=spec.spec.model_copy(update=update))

    def _ensure(self, dataset: LocalDataset) -> GcsUri:
        with self._lock:  # two specs sharing a file upload it once
            if dataset.sha256 in self._done:
                return self._done[dataset.sha256]
            uri = staged_uri(self.staging_bucket, self.stack, dataset)
            with dataset.open() as stream:
                ours = _digests(stream)
                if ours.sha256 != dataset.sha256:
                    raise StagingError(
                        f"{dataset.display} changed since it was checked; nothing was "
                        "uploaded; run plan again"
                    )
                found = self.storage.metadata(uri)
                uploaded = False
                if found is None or not _holds(found, ours):
                    if found is not None:
                        log.warning(
                            "%s holds other content than %s (%s); replacing that generation",
                            uri,
                            dataset.display,
                            _described(found),
                        )
                    replacing = found.generation if found is not None else None
                    sent = self.storage.upload(
                        stream, uri, CONTENT_TYPE, size=ours.size, replacing=replacing
                    )
                    uploaded = sent is not None
                    # None: another apply put an object there first; it is checked
                    # like any object that was already there.
                    found = sent if sent is not None else self.storage.metadata(uri)
            self._verify(dataset, uri, found, ours, uploaded)
            if uploaded:
                self.uploaded.append(uri)
            self._done[dataset.sha256] = uri
            return uri

    def _verify(
        self,
        dataset: LocalDataset,
        uri: GcsUri,
        found: ObjectMetadata | None,
        ours: Digests,
        uploaded: bool,
    ) -> None:
        if found is None:
            raise StagingError(
                f"{uri} vanished while {dataset.display} was being staged; no job was "
                "created from it; run apply again"
            )
        if _holds(found, ours):
            return
        expected = f"{ours.size:,} bytes, crc32c {ours.crc32c}"
        if not uploaded:
            raise StagingError(
                f"{uri} holds other content than {dataset.display} ({_described(found)}; "
                f"expected {expected}), put there by another client while tuneops staged; "
                "tuneops neither trained on it nor changed it: delete the object and apply "
                "again"
            )
        problem = (
            f"{uri} as stored does not hold the bytes of {dataset.display} that tuneops "
            f"checked ({_described(found)}; expected {expected})"
        )
        try:
            self.storage.delete(found)
        except RemoteError as error:
            raise StagingError(
                f"{problem}; no job was created from it, and deleting it failed ({error}): "
                "delete that generation before anything uses it"
            ) from None
        raise StagingError(
            f"{problem}; no job was created from it, and tuneops deleted the object it had "
            "uploaded; run apply again"
        )
