"""One backend shared by many threads: no lost, duplicated or mixed-up jobs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.backends.conftest import Control
from tests.backends.support import gemini_job, vertex_job
from tuneops.backends.shared.protocol import Backend
from tuneops.core.jobs import RemoteJob

CREATE = "POST /v1/projects/{project}/locations/{location}/tuningJobs"


def test_parallel_creates_gets_and_lists_on_one_vertex_backend(
    vertex: Backend, control: Control
) -> None:
    # Lost answers in the middle of the crowd must still give one job per create.
    control.fault(method="POST", path=r"/tuningJobs$", kind="commit-then-fail", count=4)
    control.fault(method="GET", path=r"/tuningJobs/\d+$", kind="status", status=503, count=4)
    specs = [vertex_job(name=f"job-{i:02d}") for i in range(40)]
    start = threading.Barrier(8)

    def work(shard: int) -> list[RemoteJob]:
        start.wait()
        made = []
        for spec in specs[shard::8]:
            job = vertex.create(spec, "prod")
            assert vertex.get(job.name).spec_name == spec.name
            vertex.list_jobs("prod", "acme-ml", "us-central1")
            made.append(job)
        return made

    with ThreadPoolExecutor(8) as pool:
        made = [job for batch in pool.map(work, range(8)) for job in batch]
    assert sorted(j.spec_name or "" for j in made) == [s.name for s in specs]
    listed = vertex.list_jobs("prod", "acme-ml", "us-central1")
    assert sorted(j.name for j in listed) == sorted(j.name for j in made)
    assert len({j.nonce for j in listed}) == 40
    assert control.counts()[CREATE] == 40


@pytest.mark.gemini_tuning_available
def test_racing_gemini_creates_of_one_spec_make_one_model(
    gemini: Backend, control: Control
) -> None:
    spec = gemini_job()
    start = threading.Barrier(6)

    def create(_: int) -> str:
        start.wait()
        return gemini.create(spec, "prod").name

    with ThreadPoolExecutor(6) as pool:
        names = set(pool.map(create, range(6)))
    assert names == {f"tunedModels/roman-numerals-{spec.spec_hash[:8]}"}
    assert [j.name for j in gemini.list_jobs("prod", None, None)] == list(names)
    assert control.counts()["POST /v1beta/tunedModels"] == 6
