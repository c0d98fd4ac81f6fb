"""Phase deadlines (issue 11): a slow service ends a command on time, with a true record.

`timeouts.listing` bounds the listing of every place together, `timeouts.applyPhase`
each phase of an apply. A hostile server in front of the emulator makes each call
slow but never slow enough for the per-call bounds, so only the phase deadline can
end the command.
"""

from __future__ import annotations

import time
from itertools import count
from pathlib import Path

import pytest

from tests.commands.project import Project, use_credentials, vertex_spec
from tests.hostile import HostileServer, Reply, Seen
from tuneops.emulator import EmulatorHandle

JOBS = r"/v1/projects/[^/]+/locations/[a-z0-9-]+/tuningJobs"


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def test_a_listing_of_many_slow_pages_stops_the_plan_at_the_listing_deadline(
    project: Project, hostile: HostileServer
) -> None:
    tokens = count()

    def slow_page(seen: Seen) -> Reply:
        time.sleep(0.3)  # each page is quick enough; all of them together are not
        # Each page brings a new (foreign) job: it progresses, it only never ends.
        number = next(tokens)
        job = {"name": f"projects/acme-ml/locations/us-central1/tuningJobs/{number + 1}"}
        return Reply.of(200, {"tuningJobs": [job], "nextPageToken": f"t{number}"})

    hostile.rule("GET", JOBS, slow_page)
    project.configure(vertex={"endpoint": hostile.url}, timeouts={"listing": 1})
    project.write(vertex_spec("bot"))
    started = time.monotonic()
    run = project.run("tuneops plan")
    assert time.monotonic() - started < 4.0
    assert run.code == 1
    assert run.err == (
        "error: listing the stack's jobs took longer than 1 s (timeouts.listing in "
        "tuneops.yaml); no partial listing is used\n"
    )
    assert run.out == ""


def test_the_listing_deadline_covers_every_place_and_cuts_a_call_in_flight(
    project: Project, hostile: HostileServer
) -> None:
    # One region answers at once, the other drips its headers: the deadline is the
    # command's, not one call's (whose own deadline of 120 s is far away).
    hostile.rule(
        "GET",
        r"/v1/projects/[^/]+/locations/europe-west4/tuningJobs",
        lambda seen: Reply(200, b'{"tuningJobs": []}', drip_head=0.5),
    )
    project.configure(vertex={"endpoint": hostile.url}, timeouts={"listing": 1.5})
    project.write(vertex_spec("bot"))
    other = vertex_spec("eu-bot")
    other["spec"]["location"] = "europe-west4"
    project.write(other)
    started = time.monotonic()
    run = project.run("tuneops plan")
    assert time.monotonic() - started < 4.0
    assert run.code == 1
    assert run.err.endswith(
        "listing the stack's jobs took longer than 1.5 s (timeouts.listing in "
        "tuneops.yaml); no partial listing is used\n"
    )
    assert project.creates() == 0


def test_no_create_starts_after_the_apply_phase_deadline_and_the_one_in_flight_is_recorded(
    project: Project, hostile: HostileServer
) -> None:
    def slow_create(seen: Seen) -> Reply:
        time.sleep(1.5)  # past the phase deadline, within every per-call deadline
        return seen.forward()

    hostile.rule("POST", JOBS, slow_create)
    project.configure(vertex={"endpoint": hostile.url}, timeouts={"applyPhase": 1})
    project.write(vertex_spec("alpha"), vertex_spec("beta"))
    run = project.run("tuneops apply --auto-approve --parallelism 1")
    assert run.code == 1
    [job] = project.remote()  # the create in flight finished; the second never started
    assert project.lock()["alpha"]["pending"]["job"] == job["name"]
    assert "beta" not in project.lock()
    assert f"  ✓ create   alpha: created {job['name']}" in run.out.splitlines()
    assert (
        "  ✗ create   beta: not started: the apply passed its phase deadline of 1 s "
        "(timeouts.applyPhase in tuneops.yaml); the next plan shows what is left"
    ) in run.out.splitlines()
    # The record is true: the next plan creates only the spec that never started.
    project.configure(vertex={"endpoint": project.emulator.url})
    plan = project.run("tuneops plan --detailed-exitcode")
    assert plan.code == 2
    assert plan.out.startswith("  + create   beta  new spec\n")
    assert plan.out.endswith("Plan: 1 to create.\n")


def test_timeouts_must_be_positive_numbers(project: Project) -> None:
    project.configure(timeouts={"listing": 0})
    run = project.run("tuneops validate")
    assert run.code == 1
    assert run.out.endswith(
        ": error: $.timeouts.listing: 0 is less than or equal to the minimum of 0\n"
    )
    assert project.creates() == 0
