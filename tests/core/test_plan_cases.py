"""The planner, table-driven: each file in tests/data/plans is one case.

A case names specs by name and epoch count (the epochs choose the hash, so two
revisions of a spec are `epochs: 3` and `epochs: 4`), remote jobs by number,
and lockfile revisions by the number of the job they record. Adding a regression
test means adding a file. Format:

    description: what the case shows
    options: {retryFailed: true, maxCancel: 1, targets: [bot], prune: true, ...}  # optional
    specs:   [{name: bot, epochs: 3, protect: false, backend: vertex}]
    remote:  [{id: 1, name: bot, epochs: 3, state: running, minutes: 0,
               protect: false, stack: demo, backend: vertex, imported: false}]  # null: offline
    lockfile:
      bot: {active: 1, pending: {id: 2, epochs: 4, state: running, smokeTest: failed},
            protect: false, snapshot: true}
    expect:  [{action: replace, name: bot, job: 1, cancels: [2],
               blocked: substring, reason: substring, changes: [[path, old, new]]}]
    notes:   [substring, ...]                                          # optional
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.core.builders import CAPS, STACK, T0, gemini_spec, spec
from tuneops.core.jobs import RemoteJob, short_hash
from tuneops.core.plan import Action, Plan, PlanOptions
from tuneops.core.planner import make_plan
from tuneops.lockfile.file import LockEntry, Lockfile, Revision
from tuneops.render.wording import word, words
from tuneops.specs.hashing import spec_snapshot
from tuneops.specs.kinds import BackendKind, JobState
from tuneops.specs.models import JobSpec

CASES = sorted((Path(__file__).resolve().parents[1] / "data" / "plans").glob("*.yaml"))


def make_spec(
    name: str, epochs: int = 3, protect: bool = False, backend: str = "vertex"
) -> JobSpec:
    """A resolved spec; its hash depends on name, backend and epochs only."""
    build = gemini_spec if backend == "gemini" else spec
    return build(name, epochs, protect)


def job_name(number: int, backend: str, spec_name: str) -> str:
    if backend == "gemini":
        return f"tunedModels/{spec_name}-{number}"
    return f"projects/1/locations/us-central1/tuningJobs/{number}"


def make_job(data: dict[str, Any]) -> RemoteJob:
    backend = data.get("backend", "vertex")
    of = make_spec(data["name"], data.get("epochs", 3), backend=backend)
    number, state = data["id"], JobState(data.get("state", "running"))
    at = T0 + dt.timedelta(minutes=data.get("minutes", number))
    done = state is JobState.SUCCEEDED
    return RemoteJob(
        backend=BackendKind(backend),
        name=job_name(number, backend, data["name"]),
        spec_name=data["name"],
        spec_hash=short_hash(of.spec_hash),
        stack=data.get("stack", STACK),
        protect=data.get("protect", False),
        state=state,
        create_time=at,
        update_time=at,
        model=f"projects/1/locations/us-central1/models/{number}@1" if done else None,
        endpoint=f"projects/1/locations/us-central1/endpoints/{number}" if done else None,
        error_message="boom" if state is JobState.FAILED else None,
        imported=data.get("imported", False),
    )


def make_revision(
    ref: int | dict[str, Any],
    name: str,
    backend: str,
    jobs: dict[int, dict[str, Any]],
    snapshot: bool,
) -> Revision:
    data: dict[str, Any] = {"id": ref} if isinstance(ref, int) else dict(ref)
    seen = jobs.get(data["id"], {})
    epochs = data.get("epochs", seen.get("epochs", 3))
    state = data.get("state", seen.get("state", "running"))
    of = make_spec(name, epochs, backend=backend)
    done = state == "succeeded"
    return Revision(
        job=job_name(data["id"], backend, name),
        spec_hash=of.spec_hash,
        state=JobState(state),
        model=f"projects/1/locations/us-central1/models/{data['id']}@1" if done else None,
        endpoint=f"projects/1/locations/us-central1/endpoints/{data['id']}" if done else None,
        spec=spec_snapshot(of.canonical) if snapshot else None,
        smoke_test=data.get("smokeTest"),
    )


def make_lockfile(data: dict[str, Any], case: dict[str, Any]) -> Lockfile:
    jobs = {j["id"]: j for j in case.get("remote") or ()}
    specs = {s["name"]: s for s in case.get("specs") or ()}
    entries = {}
    for name, raw in data.items():
        backend = raw.get("backend", specs.get(name, {}).get("backend", "vertex"))
        snapshot = raw.get("snapshot", True)
        revisions = {
            slot: make_revision(raw[slot], name, backend, jobs, snapshot)
            for slot in ("active", "pending")
            if raw.get(slot) is not None
        }
        current = make_spec(name, specs.get(name, {}).get("epochs", 3), backend=backend)
        entries[name] = LockEntry(
            BackendKind(backend),
            current.spec_hash,
            raw.get("protect", False),
            "acme-ml" if backend == "vertex" else None,
            "us-central1" if backend == "vertex" else None,
            revisions.get("active"),
            revisions.get("pending"),
        )
    return Lockfile(STACK, entries)


def run_case(case: dict[str, Any]) -> Plan:
    options = case.get("options", {})
    remote = case.get("remote", [])
    return make_plan(
        STACK,
        [make_spec(**s) for s in case.get("specs") or ()],
        make_lockfile(case.get("lockfile") or {}, case),
        None if remote is None else [make_job(j) for j in remote],
        PlanOptions(
            targets=tuple(options.get("targets", ())),
            retry_failed=options.get("retryFailed", False),
            allow_empty=options.get("allowEmpty", False),
            max_cancel=options.get("maxCancel", 5),
            max_create=options.get("maxCreate", 20),
            prune=options.get("prune", False),
        ),
        CAPS,
        "test",
    )


def matches(action: Action, expected: dict[str, Any], backend_of: dict[str, str]) -> bool:
    backend = backend_of.get(action.name, "vertex")
    job = expected.get("job")
    cancels = tuple(job_name(n, backend, action.name) for n in expected.get("cancels", ()))
    changes = tuple((c.path, c.old, c.new) for c in action.changes)
    return (
        action.kind.value == expected["action"]
        and action.name == expected["name"]
        and action.job == (job_name(job, backend, action.name) if job is not None else None)
        and action.cancels == cancels
        and bool(action.blocked) == ("blocked" in expected)
        and expected.get("blocked", "") in (word(action.blocked) if action.blocked else "")
        and expected.get("reason", "") in word(action.reason)
        and ("changes" not in expected or changes == tuple(map(tuple, expected["changes"])))
    )


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_plan_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text("utf-8"))
    result = run_case(case)
    backend_of = {s["name"]: s.get("backend", "vertex") for s in case.get("specs") or ()}
    backend_of |= {j["name"]: j.get("backend", "vertex") for j in case.get("remote") or ()}
    expected = case.get("expect") or []
    shown = [a.to_data() for a in result.actions]
    assert len(result.actions) == len(expected), shown
    for action, wanted in zip(result.actions, expected, strict=True):
        assert matches(action, wanted, backend_of), (action.to_data(), wanted)
    for note in case.get("notes", []):
        assert any(note in n for n in words(result.notes)), result.notes
    if "notes" not in case:
        assert result.notes == ()


def test_there_are_cases() -> None:
    assert len(CASES) >= 20
