"""The wait loop over real HTTP against the emulator, on injected clocks: it polls until
the jobs end, records what finished, and gives up at the deadline."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.commands.project import Project, use_credentials, vertex_spec
from tuneops.emulator import EmulatorHandle
from tuneops.errors import UsageError
from tuneops.project.file import require_project
from tuneops.runtime.session import RemoteSession
from tuneops.runtime.waiting import wait_for
from tuneops.specs.kinds import JobState

JOB_SECONDS = 40


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    project = Project(tmp_path, emulator)
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    return project


def test_it_polls_until_the_jobs_end_and_promotes_them(project: Project) -> None:
    states: list[JobState] = []
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # the emulator's clock moves instead of ours
        sleeps.append(seconds)
        project.emulator.advance(JOB_SECONDS)

    loaded = require_project(project.root / "tuneops.yaml")
    with RemoteSession(loaded, budgeted=False) as session:
        outcome = wait_for(
            loaded,
            session,
            ["bot"],
            lambda jobs: states.append(jobs["bot"].state),
            None,
            5.0,
            sleep=sleep,
        )
    assert outcome.end == "succeeded"
    assert states[0] is not JobState.SUCCEEDED and states[-1] is JobState.SUCCEEDED
    assert sleeps == [5.0] * (len(states) - 1)
    assert project.lock()["bot"]["active"]["state"] == "succeeded"


def test_it_gives_up_at_the_deadline_with_the_jobs_as_last_seen(project: Project) -> None:
    now = [100.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    loaded = require_project(project.root / "tuneops.yaml")
    with RemoteSession(loaded, budgeted=False) as session:
        outcome = wait_for(
            loaded,
            session,
            [],
            lambda jobs: None,
            30.0,
            10.0,
            monotonic=lambda: now[0],
            sleep=sleep,
        )
    assert outcome.end == "timeout"
    assert now[0] == 130.0  # polled at 100, 110, 120 and 130, then gave up
    assert not outcome.jobs["bot"].state.has_ended


def test_an_unknown_name_stops_before_any_poll(project: Project) -> None:
    loaded = require_project(project.root / "tuneops.yaml")
    with (
        RemoteSession(loaded, budgeted=False) as session,
        pytest.raises(UsageError, match=r"^no spec named nope$"),
    ):
        wait_for(loaded, session, ["nope"], lambda jobs: pytest.fail("polled"), None, 1.0)
