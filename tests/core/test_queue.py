"""Concurrency limits as a queue, table-driven and pure: the planner gets the limit
(PlanOptions.max_concurrent_jobs) and counts the in-flight jobs of the listing it
is given; nothing here touches a clock or the network."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pytest

from tests.core.builders import CAPS, STACK, entry, gemini_spec, job, lockfile, revision, spec
from tuneops.core.jobs import RemoteJob
from tuneops.core.plan import Plan, PlanOptions
from tuneops.core.planner import make_plan
from tuneops.lockfile.file import LockEntry, Lockfile, Queued, QueueReason
from tuneops.render.wording import word
from tuneops.specs.kinds import JobState
from tuneops.specs.models import JobSpec

A, B, C = spec("a"), spec("b"), spec("c")
A2 = spec("a", epochs=5)
LIMIT, QUOTA = QueueReason.LIMIT, QueueReason.QUOTA


def plan(
    specs: Sequence[JobSpec],
    lock: Lockfile | None = None,
    remote: Sequence[RemoteJob] | None = (),
    **options: Any,
) -> Plan:
    return make_plan(STACK, specs, lock or lockfile(), remote, PlanOptions(**options), CAPS, "t")


def queued(of: JobSpec, ticket: int, reason: QueueReason = LIMIT, **kw: Any) -> LockEntry:
    """A lockfile entry that records `of` as queued."""
    return dataclasses.replace(entry(of, **kw), queued=Queued(of.spec_hash, ticket, reason))


def shown(result: Plan) -> list[tuple[str, str, int | None]]:
    """(action, name, position in the queue or None when it starts now)."""
    return [(a.kind.value, a.name, a.queued.position if a.queued else None) for a in result.actions]


RUNNING_C = job(C, 9, JobState.RUNNING)

CASES: list[tuple[str, list[JobSpec], Lockfile, list[RemoteJob], int | None, list[Any]]] = [
    (
        "no limit: every start starts",
        [A, B],
        lockfile(),
        [],
        None,
        [("create", "a", None), ("create", "b", None)],
    ),
    (
        "limit 1, two new specs: the first by name starts, the other waits",
        [A, B],
        lockfile(),
        [],
        1,
        [("create", "a", None), ("create", "b", 1)],
    ),
    (
        "a job of another spec in flight holds the only slot",
        [A, C],
        lockfile(c=entry(C, pending=revision(RUNNING_C, C))),
        [RUNNING_C],
        1,
        [("create", "a", 1)],
    ),
    (
        "an ended job holds no slot",
        [A, C],
        lockfile(c=entry(C, active=revision(job(C, 9, JobState.SUCCEEDED), C))),
        [job(C, 9, JobState.SUCCEEDED)],
        1,
        [("create", "a", None)],
    ),
    (
        "oldest queued first: the lower ticket starts, whatever the names",
        [A, B, C],
        lockfile(b=queued(B, 1), a=queued(A, 2)),
        [],
        1,
        [("create", "a", 1), ("create", "b", None), ("create", "c", 2)],
    ),
    (
        "a replace's own cancel frees the slot it needs",
        [A2],
        lockfile(a=entry(A, pending=revision(job(A, 1), A))),
        [job(A, 1)],
        1,
        [("replace", "a", None)],
    ),
    (
        "a cancel of a removed spec frees a slot for a new one",
        [A],
        lockfile(),
        [job("gone", 3)],
        1,
        [("cancel", "gone", None), ("create", "a", None)],
    ),
    (
        "limit 2 with one in flight: one more starts",
        [A, B, C],
        lockfile(c=entry(C, pending=revision(RUNNING_C, C))),
        [RUNNING_C],
        2,
        [("create", "a", None), ("create", "b", 1)],
    ),
    (
        "Gemini API specs never wait",
        [gemini_spec("g"), A, C],
        lockfile(c=entry(C, pending=revision(RUNNING_C, C))),
        [RUNNING_C],
        1,
        [("create", "a", 1), ("create", "g", None)],
    ),
    (
        "still queued, still no slot: shown as queued again",
        [A, C],
        lockfile(a=queued(A, 1), c=entry(C, pending=revision(RUNNING_C, C))),
        [RUNNING_C],
        1,
        [("create", "a", 1)],
    ),
    (
        "queued, but the spec went back to the revision that serves: dequeue",
        [A],
        lockfile(
            a=dataclasses.replace(
                entry(A, active=revision(job(A, 1, JobState.SUCCEEDED), A)),
                queued=Queued(A2.spec_hash, 1, LIMIT),
            )
        ),
        [job(A, 1, JobState.SUCCEEDED)],
        1,
        [("dequeue", "a", None)],
    ),
]


@pytest.mark.parametrize(
    ("specs", "lock", "remote", "limit", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_starts_wait_for_a_free_slot(
    specs: list[JobSpec],
    lock: Lockfile,
    remote: list[RemoteJob],
    limit: int | None,
    expected: list[Any],
) -> None:
    assert shown(plan(specs, lock, remote, max_concurrent_jobs=limit)) == expected


def test_a_queued_action_records_what_was_counted_and_round_trips() -> None:
    result = plan([A, B], max_concurrent_jobs=1)
    waiting = result.actions[1]
    assert waiting.queued is not None
    assert waiting.to_data()["queued"] == {
        "reason": "max-concurrent-jobs",
        "position": 1,
        "inFlight": 0,
        "limit": 1,
    }
    assert result.to_data()["summary"]["queued"] == 1
    assert result.to_data()["options"]["maxConcurrentJobs"] == 1
    assert Plan.from_data(result.to_data()) == result
    assert not waiting.starts_now and result.actions[0].starts_now


def test_queued_work_is_a_pending_change() -> None:
    lock = lockfile(a=queued(A, 1), c=entry(C, pending=revision(RUNNING_C, C)))
    result = plan([A, C], lock, [RUNNING_C], max_concurrent_jobs=1)
    assert shown(result) == [("create", "a", 1)]
    assert result.exit_code(detailed_exitcode=True) == 2
    assert result.exit_code(detailed_exitcode=False) == 0


def test_a_start_refused_by_the_service_before_is_tried_again_without_a_limit() -> None:
    result = plan([A], lockfile(a=queued(A, 3, QUOTA)))
    assert shown(result) == [("create", "a", None)]
    assert word(result.actions[0].reason) == (
        "new spec; queued after the service refused it for quota; tried again"
    )


def test_max_create_counts_queued_starts_once_when_they_are_queued() -> None:
    specs = [spec(f"s{i}") for i in range(4)]
    first = plan(specs, max_concurrent_jobs=1, max_create=3)
    assert len(first.blocked) == 4  # four new jobs, queued or not, exceed 3
    # Once an apply queued three of them, the guard of that apply counted them.
    lock = lockfile(s1=queued(specs[1], 1), s2=queued(specs[2], 2), s3=queued(specs[3], 3))
    later = plan(specs, lock, [job(specs[0], 1)], max_concurrent_jobs=1, max_create=3)
    assert not later.blocked
    assert shown(later) == [
        ("adopt", "s0", None),
        ("create", "s1", 1),
        ("create", "s2", 2),
        ("create", "s3", 3),
    ]


def test_an_offline_plan_counts_the_lockfile_jobs_in_flight() -> None:
    lock = lockfile(c=entry(C, pending=revision(RUNNING_C, C)))
    assert shown(plan([A, C], lock, None, max_concurrent_jobs=1)) == [("create", "a", 1)]
