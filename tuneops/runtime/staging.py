"""Uploading local Vertex datasets to the staging bucket, content-addressed.

A spec's `trainingData.file` becomes `{stagingBucket}/{stack}/{sha256}.jsonl`
just before its job is created: the name is the content, so the same data is
never uploaded twice, and an object under that name whose size or MD5 differs
from the local file is refused rather than trained on. The upload is one
request with `ifGenerationMatch=0`, so an interrupted one leaves no object, and
the job is only created once the object is verified.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import replace

from tuneops.backends.storage import GcsUri, ObjectMetadata, StorageClient
from tuneops.errors import TuneopsError
from tuneops.specs.models import JobSpec, LocalDataset, VertexSpec

CONTENT_TYPE = "application/jsonl"


class StagingError(TuneopsError):
    """A local dataset cannot be staged safely."""


def staged_uri(staging_bucket: str, stack: str, dataset: LocalDataset) -> GcsUri:
    """Where `dataset` lives in the staging bucket: `{prefix}/{stack}/{sha256}.jsonl`."""
    bucket, _, prefix = staging_bucket.removeprefix("gs://").partition("/")
    folder = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    return GcsUri(bucket, f"{folder}{stack}/{dataset.sha256}.jsonl")


def _digests(dataset: LocalDataset) -> tuple[str, str]:
    """(sha256 hex, base64 MD5) of a dataset's bytes: its content, or its file read in chunks."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with dataset.open() as stream:
        while chunk := stream.read(1024 * 1024):
            sha.update(chunk)
            md5.update(chunk)
    return sha.hexdigest(), base64.b64encode(md5.digest()).decode("ascii")


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
            sha256, md5 = _digests(dataset)
            if sha256 != dataset.sha256:
                raise StagingError(
                    f"{dataset.display} changed since it was checked; run plan again"
                )
            found = self.storage.metadata(uri)
            ours = False
            if found is None:
                found = self.storage.upload(dataset.content or dataset.path, uri, CONTENT_TYPE)
                ours = found is not None
                if found is None:  # another apply uploaded it first
                    found = self.storage.metadata(uri)
            try:
                self._verify(dataset, uri, found, md5)
            except StagingError:
                if ours and found is not None:  # the file changed while it was sent
                    self.storage.delete(found)
                raise
            if ours:
                self.uploaded.append(uri)
            self._done[dataset.sha256] = uri
            return uri

    def _verify(
        self, dataset: LocalDataset, uri: GcsUri, found: ObjectMetadata | None, md5: str
    ) -> None:
        if found is None:
            raise StagingError(f"{uri} vanished while {dataset.display} was being staged")
        if found.size != dataset.size_bytes or (found.md5 is not None and found.md5 != md5):
            raise StagingError(
                f"{uri} holds other content than {dataset.display} "
                f"({found.size:,} bytes, generation {found.generation}); "
                "refusing to train on it: delete the object and apply again"
            )
