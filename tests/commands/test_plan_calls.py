"""A plan costs one job listing per place, whatever the number of specs (counted, not timed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.commands.project import Project, use_credentials, vertex_spec
from tuneops.emulator import EmulatorHandle

LOCATIONS = ("us-central1", "europe-west4", "asia-east1")


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def test_a_plan_of_15_specs_in_3_places_sends_3_list_calls_and_no_get(project: Project) -> None:
    specs = []
    for index in range(15):
        spec = vertex_spec(f"bot-{index:02d}")
        spec["spec"]["location"] = LOCATIONS[index % 3]
        specs.append(spec)
    project.write(*specs)
    assert project.run("tuneops apply --auto-approve --parallelism 8").code == 0
    project.emulator.clear_request_counts()

    plan = project.run("tuneops plan --detailed-exitcode")

    assert plan.code == 0, plan.out + plan.err
    counts = project.emulator.request_counts()
    # Jobs: one listing per place, no GET per job. (Each distinct gs:// dataset is
    # looked up once to pin its generation: that is the datasets' cost, not the jobs'.)
    job_calls = {route: n for route, n in counts.items() if "/tuningJobs" in route}
    assert job_calls == {"GET /v1/projects/{project}/locations/{location}/tuningJobs": 3}
