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
- `protect`, `smokeTest`, `datasetPolicy`, `promote` and `serve` left out: none
  changes what a job trains (a gate or the served checkpoint applies at the next
  promotion, without a new job; docs/tuning-methods.md);
- `method: supervised` left out: it is the default, so writing it out is not a
  new job, while `method: preference`, its `beta` and `evaluation` are in
  (`evaluation.autorater` only when written, so specs without it keep their hash);
- `datasetPins` added once the `gs://` datasets have been looked at (see
  `with_dataset_pins`): the generation, size and CRC32C of each object.

Server-side defaults are never filled in, so a field the user leaves out and a
server default are not confused. `metadata` (name, labels) is outside `spec`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tuneops.specs.kinds import BackendKind, LocalDataset

if TYPE_CHECKING:
    from tuneops.specs.models import Example, JobSpec, Spec

EXCLUDED_FIELDS = frozenset({"protect", "smokeTest", "datasetPolicy", "promote", "serve"})
# A field left out when it holds its default, so that writing the default is no change.
_DEFAULTS = {"method": "supervised"}


_DATASET_FIELDS = {"training": "trainingData", "validation": "validationData"}


def canonical_spec(
    spec: Spec, examples: tuple[Example, ...], datasets: tuple[LocalDataset, ...] = ()
) -> dict[str, Any]:
    """The canonical form of a resolved spec, as hashed and as kept for diffs."""
    data: dict[str, Any] = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    _drop_unhashed(data)
    if spec.backend == BackendKind.GEMINI:
        data["trainingData"] = {
            "examples": [e.model_dump(mode="json", by_alias=True) for e in examples]
        }
    for dataset in datasets:
        data[_DATASET_FIELDS[dataset.role]] = {
            "exampleCount": dataset.examples,
            "sha256": dataset.sha256,
        }
    return data


def _drop_unhashed(data: dict[str, Any]) -> None:
    for field in EXCLUDED_FIELDS:
        data.pop(field, None)
    for field, default in _DEFAULTS.items():
        if data.get(field) == default:
            del data[field]


# The numeric fields, by JSON path: a model types them (`1` for a float field is
# `1.0`, `2.0` for an integer field is `2`), so the plain data must be typed alike.
_FLOAT_FIELDS = frozenset(
    {
        ("hyperParameters", "learningRateMultiplier"),
        ("hyperParameters", "learningRate"),
        ("hyperParameters", "beta"),
        ("temperature",),
        ("topP",),
    }
)
_INT_FIELDS = frozenset(
    {
        ("hyperParameters", "epochCount"),
        ("hyperParameters", "batchSize"),
        ("topK",),
        ("evaluation", "autorater", "samplingCount"),
    }
)


def _typed(value: Any, path: tuple[str, ...]) -> Any:
    """`value` without None members and with its numbers typed as the models type them."""
    if isinstance(value, Mapping):
        return {k: _typed(v, (*path, k)) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_typed(v, path) for v in value]
    if isinstance(value, bool):
        return value
    if path in _FLOAT_FIELDS and isinstance(value, int):
        return float(value)
    if path in _INT_FIELDS and isinstance(value, float):
        return int(value)
    return value


def canonical_data(
    spec: Mapping[str, Any],
    examples: Sequence[Mapping[str, str]],
    datasets: tuple[LocalDataset, ...] = (),
) -> dict[str, Any]:
    """`canonical_spec` computed from the schema-checked, resolved `spec:` mapping.

    The same result as dumping the spec's model (a test compares both on every
    golden spec and on generated ones), without building a model: `validate`
    and `plan` hash thousands of specs, and the models cost start-up and memory.
    """
    data: dict[str, Any] = _typed(spec, ())
    _drop_unhashed(data)
    if data.get("backend") == BackendKind.GEMINI.value:
        data["trainingData"] = {
            "examples": [{"textInput": e["textInput"], "output": e["output"]} for e in examples]
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
