"""Comparing a job made outside tuneops with a spec, for `tuneops import`. Pure.

Only the fields the spec sets are compared: anything else the job shows may be
a server default, and server defaults never count as a difference. Two fields
cannot be compared: the project (the service names it by number, the spec by
id; the job was fetched by its name, so it is where the user says) and Gemini
training data, which the API never returns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from tuneops.core.diff import flatten
from tuneops.core.plan import Change
from tuneops.specs.hashing import canonical_json, spec_snapshot
from tuneops.specs.models import JobSpec

# Not in a job's description: assumed to match. For datasetPins that means the
# job is taken to have trained on the gs:// objects as they are now.
UNREADABLE = ("project", "trainingData", "datasetPins")


def _unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def compare(spec: JobSpec, view: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[Change, ...]]:
    """The job as a spec snapshot (for the lockfile), and how it differs from `spec`.

    A `Change` reads old = the job's value, new = the spec's value, as a replace
    would show it.
    """
    wanted = flatten(spec_snapshot(spec.canonical))
    seen = flatten(view)
    observed: dict[str, Any] = {}
    for path, value in wanted.items():
        assumed = any(path == f or path.startswith(f + ".") for f in UNREADABLE)
        observed[path] = value if assumed else seen.get(path)
    changes = tuple(
        Change(path, observed[path], wanted[path])
        for path in sorted(wanted)
        if observed[path] != wanted[path]
    )
    return _unflatten({k: v for k, v in observed.items() if v is not None}), changes


def imported_hash(spec: JobSpec, snapshot: Mapping[str, Any], matches: bool) -> str:
    """The spec's hash when the job matches it, else a hash of what the job is."""
    if matches:
        return spec.spec_hash
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()
