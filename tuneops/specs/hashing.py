"""The spec hash: the identity of what a job trains.

It is the sha256 of the canonical JSON (sorted keys, no insignificant
whitespace, UTF-8) of the spec as the user wrote it, typed by the models (so
`1` and `1.0` for a float field are the same), with:

- `backend`, `project` and `location` resolved from the project defaults, since
  the same training in another project is another job;
- `trainingData` replaced by the examples themselves, whether they were inline
  or in `trainingData.file`, so moving examples to a file changes nothing and
  editing the file changes the hash;
- a Vertex spec's local `trainingData`/`validationData` file replaced by the
  sha256 and example count of its content, so editing the file is a new job and
  moving or renaming it is not;
- `protect`, `smokeTest` and `datasetPolicy` left out: none changes what a job
  trains;
- `datasetPins` added once the `gs://` datasets have been looked at (see
  `with_dataset_pins`): the generation, size and CRC32C of each object.

Server-side defaults are never filled in, so a field the user leaves out and a
server default are not confused. `metadata` (name, labels) is outside `spec`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from tuneops.specs.models import Example, GeminiSpec, JobSpec, LocalDataset, Spec

EXCLUDED_FIELDS = frozenset({"protect", "smokeTest", "datasetPolicy"})


_DATASET_FIELDS = {"training": "trainingData", "validation": "validationData"}


def canonical_spec(
    spec: Spec, examples: tuple[Example, ...], datasets: tuple[LocalDataset, ...] = ()
) -> dict[str, Any]:
    """The canonical form of a resolved spec, as hashed and as kept for diffs."""
    data: dict[str, Any] = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    for field in EXCLUDED_FIELDS:
        data.pop(field, None)
    if isinstance(spec, GeminiSpec):
        data["trainingData"] = {
            "examples": [e.model_dump(mode="json", by_alias=True) for e in examples]
        }
    for dataset in datasets:
        data[_DATASET_FIELDS[dataset.role]] = {
            "exampleCount": dataset.examples,
            "sha256": dataset.sha256,
        }
    return data


def with_dataset_pins(job: JobSpec, pins: Mapping[str, Mapping[str, Any]]) -> JobSpec:
    """`job` with the versions of its `gs://` datasets in its canonical form and hash.

    `pins` maps `trainingDataset` / `validationDataset` to `{generation, size,
    crc32c}`; no pins leave the job as it is. The hash as written stays in
    `unpinned_hash`, for reviews of plans made without the datasets.
    """
    if not pins:
        return job
    canonical = {**job.canonical, "datasetPins": {k: dict(v) for k, v in sorted(pins.items())}}
    return replace(
        job,
        canonical=canonical,
        spec_hash=spec_hash(canonical),
        unpinned_hash=job.written_hash,
    )


def canonical_json(data: Mapping[str, Any]) -> bytes:
    """Deterministic JSON bytes: sorted keys, compact separators, UTF-8."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def spec_hash(canonical: Mapping[str, Any]) -> str:
    """The 64 hex digit sha256 of the canonical spec."""
    return hashlib.sha256(canonical_json(canonical)).hexdigest()


def spec_snapshot(canonical: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical spec as the lockfile keeps it for diffs.

    Training examples can run to megabytes; the snapshot keeps their count and
    digest instead, which is enough to say that they changed.
    """
    snapshot = dict(canonical)
    training = canonical.get("trainingData")
    if isinstance(training, Mapping) and "examples" in training:
        examples = training["examples"]
        digest = hashlib.sha256(canonical_json({"examples": examples})).hexdigest()
        snapshot["trainingData"] = {"exampleCount": len(examples), "sha256": digest}
    return snapshot
