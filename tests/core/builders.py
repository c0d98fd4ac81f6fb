"""Small builders for pure planner tests: specs, remote jobs, lockfiles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tuneops.core.jobs import Capabilities, RemoteJob
from tuneops.diagnostics import Location
from tuneops.lockfile.file import LockEntry, Lockfile, Revision
from tuneops.specs.hashing import canonical_spec, spec_hash, spec_snapshot
from tuneops.specs.kinds import BackendKind, JobState
from tuneops.specs.models import GeminiSpec, JobSpec, VertexSpec

STACK = "demo"
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
CAPS = {
    BackendKind.VERTEX: Capabilities(
        client_chosen_ids=False, labels=True, cancel=True, delete=False
    ),
    BackendKind.GEMINI: Capabilities(
        client_chosen_ids=True, labels=False, cancel=False, delete=True
    ),
}


def spec(name: str, epochs: int = 3, protect: bool = False, **fields: Any) -> JobSpec:
    """A resolved Vertex spec whose hash depends on `epochs` and `fields`."""
    body = VertexSpec.model_validate(
        {
            "project": "acme-ml",
            "location": "us-central1",
            "baseModel": "gemini-3.5-flash",
            "trainingDataset": f"gs://acme/{name}.jsonl",
            "hyperParameters": {"epochCount": epochs},
            "protect": protect,
            **fields,
        }
    )
    return _resolved(name, body)


def gemini_spec(name: str, epochs: int = 3, protect: bool = False) -> JobSpec:
    """A resolved Gemini spec with one inline example; its hash depends on `epochs`."""
    body = GeminiSpec.model_validate(
        {
            "baseModel": "models/gemini-1.5-flash-001-tuning",
            "trainingData": {"examples": [{"textInput": "I", "output": "II"}]},
            "hyperParameters": {"epochCount": epochs},
            "protect": protect,
        }
    )
    return _resolved(name, body)


def _resolved(name: str, body: VertexSpec | GeminiSpec) -> JobSpec:
    canonical = canonical_spec(body, ())
    return JobSpec(name, {}, body, (), canonical, spec_hash(canonical), Location(f"{name}.yaml"))


def job(
    of: JobSpec | str,
    number: int,
    state: JobState = JobState.RUNNING,
    *,
    spec_hash: str | None = None,
    protect: bool = False,
    minutes: int = 0,
    stack: str = STACK,
) -> RemoteJob:
    """A remote Vertex job of a spec (or of a bare name, for removed specs)."""
    name = of if isinstance(of, str) else of.name
    full_hash = spec_hash or (of.spec_hash if isinstance(of, JobSpec) else "f" * 64)
    succeeded = state is JobState.SUCCEEDED
    return RemoteJob(
        backend=BackendKind.VERTEX,
        name=f"projects/1/locations/us-central1/tuningJobs/{number}",
        spec_name=name,
        spec_hash=full_hash[:16],
        stack=stack,
        protect=protect,
        state=state,
        create_time=T0 + dt.timedelta(minutes=minutes),
        update_time=T0 + dt.timedelta(minutes=minutes),
        model=f"projects/1/locations/us-central1/models/{number}@1" if succeeded else None,
        endpoint=f"projects/1/locations/us-central1/endpoints/{number}" if succeeded else None,
    )


def revision(remote: RemoteJob, of: JobSpec | None = None) -> Revision:
    """The lockfile revision of a remote job (with the spec snapshot when given)."""
    full = of.spec_hash if of else (remote.spec_hash or "").ljust(64, "0")
    return Revision(
        job=remote.name,
        spec_hash=full,
        state=remote.state,
        model=remote.model,
        endpoint=remote.endpoint,
        spec=spec_snapshot(of.canonical) if of else None,
    )


def lockfile(**entries: LockEntry) -> Lockfile:
    """A lockfile of the demo stack with the given entries (dashes spelled as underscores)."""
    return Lockfile(STACK, {name.replace("_", "-"): e for name, e in entries.items()})


def entry(
    of: JobSpec,
    active: Revision | None = None,
    pending: Revision | None = None,
    protect: bool = False,
) -> LockEntry:
    """A lockfile entry for a spec."""
    return LockEntry(
        BackendKind.VERTEX, of.spec_hash, protect, "acme-ml", "us-central1", active, pending
    )


BOT_SPEC = spec("bot")
