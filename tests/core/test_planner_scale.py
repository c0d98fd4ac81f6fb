"""The planner's work grows with specs + jobs, not specs × jobs (counted, not timed)."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from tests.core.builders import CAPS, STACK, entry, job, lockfile, revision, spec
from tuneops.core.plan import PlanOptions
from tuneops.core.planner import make_plan
from tuneops.specs.kinds import JobState


class CountedName(str):
    """A spec name that counts how often it is compared with another string."""

    comparisons: ClassVar[int] = 0

    def __eq__(self, other: object) -> bool:
        CountedName.comparisons += 1
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


def test_planning_compares_each_job_with_a_few_names_not_with_every_spec() -> None:
    specs = [spec(f"job-{i:04d}") for i in range(400)]
    remote = []
    for index, one in enumerate(specs):
        old = job(one, 2 * index, JobState.SUCCEEDED, spec_hash="0" * 64)
        current = job(one, 2 * index + 1, JobState.SUCCEEDED, minutes=1)
        # Each job carries its own name object, as jobs parsed from a listing do.
        remote += [replace(j, spec_name=CountedName(one.name)) for j in (old, current)]
    lock = lockfile(
        **{s.name: entry(s, active=revision(remote[2 * i + 1], s)) for i, s in enumerate(specs)}
    )
    CountedName.comparisons = 0

    plan = make_plan(STACK, specs, lock, remote, PlanOptions(), CAPS, "test")

    assert plan.actions == ()
    # The old scan compared every job with every name: 400 × 800 = 320,000.
    assert CountedName.comparisons <= 10 * len(remote)
