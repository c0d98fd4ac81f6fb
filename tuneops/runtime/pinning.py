"""Pinning `gs://` datasets: which version of each object a job is trained on.

Online, each distinct object a Vertex spec names is looked up once, from
bucket listings where they sit together and by one GET each where they are
scattered (`object_lookup`), and its generation, size and CRC32C enter the spec's canonical form
and hash (`datasetPins`), so an object overwritten under the same URI is a new
spec hash: the plan shows a replace with the generation change. Offline, the
pins recorded in the lockfile stand in for the remote, so an offline plan of an
unchanged project shows no change. `datasetPolicy: ignoreChanges` leaves the
pins out.

Each object generation not recorded in the lockfile yet is read once, streamed
through the same content checks as local files (a bad line stops the run with
`gs://bucket/object:LINE`), and its example count joins the pin, so the plan
shows how many examples an overwrite added or removed.

A missing object is an error when a job would have to be created from it; a job
that already exists for the spec keeps its recorded pins (data deleted after
training is common), and the plan says so (`core.dataset_notices`): the job may
still need the data, and the spec's next replace will.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, cast

from tuneops.backends.storage.client import GcsUri, ObjectMetadata, StorageClient
from tuneops.core.dataset_notices import MissingPin
from tuneops.datasets.limits import limits_for
from tuneops.datasets.methods import TuningMethod
from tuneops.datasets.scanner import DatasetRole, DatasetScan, scan_stream
from tuneops.errors import SpecError, TuneopsError
from tuneops.lockfile.file import LockEntry, Lockfile
from tuneops.runtime.object_lookup import look_up
from tuneops.runtime.session import RemoteSession
from tuneops.specs.hashing import spec_hash, with_dataset_pins
from tuneops.specs.models import DatasetPolicy, JobSpec, VertexSpec

PINS_KEY = "datasetPins"
_CONTENT_KEYS = ("exampleCount", "estimatedTokens")
_FIELDS = (("trainingDataset", "training_dataset"), ("validationDataset", "validation_dataset"))


class DatasetMissingError(TuneopsError):
    """A job would be created from a `gs://` object that does not exist."""


def pinned_uris(spec: JobSpec) -> dict[str, str]:
    """Field name → `gs://` URI of each dataset of `spec` that is pinned."""
    inner = spec.spec
    if not isinstance(inner, VertexSpec):
        return {}
    return {
        field: uri
        for field, attribute in _FIELDS
        if isinstance(uri := getattr(inner, attribute), str) and uri.startswith("gs://")
    }


def _runs_unpinned(spec: JobSpec, lockfile: Lockfile) -> bool:
    """A revision of the spec was made without pins (before pinning existed, or under
    `ignoreChanges`): pinning now would change its hash and replace a job that
    nothing changed in, so it stays unpinned until the spec changes otherwise."""
    entry = lockfile.entries.get(spec.name)
    return entry is not None and any(r.spec_hash == spec.spec_hash for r in entry.revisions())


def _is_pinned(spec: JobSpec) -> bool:
    inner = spec.spec
    ignored = DatasetPolicy.IGNORE_CHANGES
    return isinstance(inner, VertexSpec) and inner.dataset_policy is not ignored


def _pin(found: ObjectMetadata, content: Mapping[str, int] | None) -> dict[str, Any]:
    pin: dict[str, Any] = {
        "generation": str(found.generation),
        "size": found.size,
        "crc32c": found.crc32c,
    }
    return {**pin, **(content or {})}


def _known_contents(
    specs: Sequence[JobSpec], lockfile: Lockfile
) -> dict[tuple[str, str], dict[str, int]]:
    """(URI, generation) → what its content told (example count, estimated tokens),
    for the generations the lockfile recorded."""
    known: dict[tuple[str, str], dict[str, int]] = {}
    for spec in specs:
        uris = pinned_uris(spec)
        for field, pin in recorded_pins(spec, lockfile.entries.get(spec.name)).items():
            content = {k: v for k, v in pin.items() if k in _CONTENT_KEYS and isinstance(v, int)}
            if len(content) == len(_CONTENT_KEYS):
                known[(uris[field], str(pin.get("generation")))] = content
    return known


def _check_contents(
    storage: StorageClient,
    found: ObjectMetadata,
    role: DatasetRole,
    base_model: str,
    method: TuningMethod,
) -> DatasetScan:
    """Streams one object generation through the dataset checks of its spec's
    method (bounded memory); a read cut short is retried from the start, with a
    fresh scan."""
    limits = limits_for(base_model)
    return storage.read_media(
        found, lambda stream: scan_stream(stream, str(found.uri), role, limits, method=method)
    )


def _read_new_generations(
    storage: StorageClient,
    specs: Sequence[JobSpec],
    lockfile: Lockfile,
    found: Mapping[str, ObjectMetadata | None],
    workers: int,
) -> dict[str, dict[str, int]]:
    """Example count and estimated tokens of every object generation not recorded
    yet; its content is checked on the way, and any bad line stops the run before
    any create."""
    known = _known_contents(specs, lockfile)
    counts: dict[str, dict[str, int]] = {}
    wanted: dict[str, tuple[DatasetRole, str, TuningMethod]] = {}
    for spec in specs:
        if not _is_pinned(spec) or not isinstance(spec.spec, VertexSpec):
            continue
        for field, uri in pinned_uris(spec).items():
            meta = found[uri]
            if meta is None:
                continue
            recorded = known.get((uri, str(meta.generation)))
            if recorded is not None:
                counts[uri] = recorded
            elif uri not in wanted:
                role = (
                    DatasetRole.VALIDATION if field == "validationDataset" else DatasetRole.TRAINING
                )
                wanted[uri] = (role, spec.spec.base_model or "", spec.spec.tuning_method)
    if not wanted:
        return counts
    targets = sorted(wanted)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        scans = list(
            pool.map(
                lambda uri: _check_contents(
                    storage, cast(ObjectMetadata, found[uri]), *wanted[uri]
                ),
                targets,
            )
        )
    problems = [d for scan in scans for d in scan.diagnostics]
    if problems:
        raise SpecError(problems)
    for uri, scan in zip(targets, scans, strict=True):
        summary = scan.summary
        counts[uri] = {
            "exampleCount": summary.examples,
            "estimatedTokens": summary.estimated_tokens,
        }
    return counts


def recorded_pins(spec: JobSpec, entry: LockEntry | None) -> dict[str, Mapping[str, Any]]:
    """The pins the newest known revision of `spec` recorded, for the same URIs."""
    uris = pinned_uris(spec)
    for revision in entry.revisions() if entry is not None else ():
        snapshot = revision.spec or {}
        pins = snapshot.get(PINS_KEY)
        if not isinstance(pins, Mapping):
            continue
        same = {f: p for f, p in pins.items() if f in uris and snapshot.get(f) == uris[f]}
        if same:
            return same
    return {}


def as_recorded(spec: JobSpec, entry: LockEntry | None) -> JobSpec:
    """`spec` holding the snapshot and hash its lockfile revision recorded, when they
    are its own canonical form and hash.

    In a stack in sync each pinned spec's canonical form is a copy of what its
    revision recorded (the snapshot of a Vertex spec is the canonical form), so a
    plan of 10,000 specs held 10,000 nested mappings twice (issue 18: peak memory
    of plan). "The same" is the same canonical JSON, checked by hash, not `==`,
    which takes `1` for `1.0`.
    """
    for revision in entry.revisions() if entry is not None else ():
        snapshot = revision.spec
        if (
            revision.spec_hash == spec.spec_hash
            and snapshot is not None
            and snapshot is not spec.canonical
            and spec_hash(snapshot) == spec.spec_hash
        ):
            return replace(spec, canonical=snapshot, spec_hash=revision.spec_hash)
    return spec


def pin_offline(specs: Iterable[JobSpec], lockfile: Lockfile) -> tuple[JobSpec, ...]:
    """The specs with the pins their lockfile entries recorded."""
    return tuple(
        as_recorded(
            with_dataset_pins(spec, recorded_pins(spec, entry))
            if _is_pinned(spec) and not _runs_unpinned(spec, lockfile)
            else spec,
            entry,
        )
        for spec in specs
        for entry in (lockfile.entries.get(spec.name),)
    )


def pin_online(
    session: RemoteSession, specs: Sequence[JobSpec], lockfile: Lockfile
) -> tuple[JobSpec, ...]:
    """The specs pinned to the objects as they are now; raises on missing objects
    that a create would need."""
    return pin_online_report(session, specs, lockfile).specs


@dataclass(frozen=True, slots=True)
class Pinned:
    """Specs pinned online, and the pinned objects that are gone (their recorded
    pins stood in for them)."""

    specs: tuple[JobSpec, ...]
    missing: tuple[MissingPin, ...] = ()


def pin_online_report(
    session: RemoteSession, specs: Sequence[JobSpec], lockfile: Lockfile
) -> Pinned:
    """`pin_online`, and which pinned objects no longer exist."""
    candidates = [spec for spec in specs if not _runs_unpinned(spec, lockfile)]
    uris = sorted({uri for spec in candidates for uri in pinned_uris(spec).values()})
    if not uris:
        return Pinned(tuple(specs))
    storage = session.storage()
    workers = max(1, min(session.parallelism, len(uris)))
    parsed = {uri: GcsUri.parse(uri) for uri in uris}
    looked_up = look_up(storage, parsed.values(), workers)
    found = {uri: looked_up[gcs] for uri, gcs in parsed.items()}
    examples = _read_new_generations(storage, candidates, lockfile, found, workers)
    pinned: list[JobSpec] = []
    missing: list[str] = []
    gone: list[MissingPin] = []
    for spec in specs:
        entry = lockfile.entries.get(spec.name)
        if _runs_unpinned(spec, lockfile):
            pinned.append(as_recorded(spec, entry))
            continue
        recorded = recorded_pins(spec, entry)
        pins: dict[str, Mapping[str, Any]] = {}
        absent: list[tuple[str, str]] = []
        for field, uri in pinned_uris(spec).items():
            meta = found[uri]
            if meta is not None:
                pins[field] = _pin(meta, examples.get(uri))
            else:
                if field in recorded:
                    pins[field] = recorded[field]
                absent.append((field, uri))
        result = with_dataset_pins(spec, pins) if _is_pinned(spec) else spec
        known = {r.spec_hash for r in entry.revisions()} if entry is not None else set()
        if absent and result.spec_hash not in known:
            missing += [f"{spec.name}: {uri}" for _, uri in absent]
        elif _is_pinned(spec):
            gone += [
                MissingPin(
                    spec.name,
                    field,
                    uri,
                    str(recorded[field].get("generation", "")),
                    result.spec_hash,
                )
                for field, uri in absent
                if field in recorded
            ]
        pinned.append(as_recorded(result, entry))
    if missing:
        raise DatasetMissingError(
            "no such Cloud Storage object, and a job would be created from it: "
            + "; ".join(missing)
        )
    return Pinned(tuple(pinned), tuple(gone))
