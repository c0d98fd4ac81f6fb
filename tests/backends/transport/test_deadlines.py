"""The network time of one command (`timeouts.network`, issue 22): counted while a
request is in flight, once however many run together, and spent for every call."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.commands.project import local_vertex_spec, staging_project
from tuneops.backends.transport.deadlines import NetworkBudget, network_budget, phase_remaining
from tuneops.emulator import EmulatorHandle

REPO = Path(__file__).resolve().parents[3]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_overlapping_requests_count_once_and_the_time_between_them_not_at_all() -> None:
    clock = FakeClock()
    budget = NetworkBudget(10.0, clock)
    with budget.request():
        clock.now += 2.0
        with budget.request():  # a second thread's request, in parallel
            clock.now += 3.0
        clock.now += 1.0
        assert budget.remaining() == pytest.approx(4.0)  # 6 s so far, one still running
    clock.now += 50.0  # a prompt, a sleep: no request in flight
    assert budget.remaining() == pytest.approx(4.0)
    with budget.request():
        clock.now += 5.0
    assert budget.remaining() == pytest.approx(-1.0)


def test_the_budget_bounds_every_thread_and_ends_with_its_block() -> None:
    assert phase_remaining() is None
    with network_budget(NetworkBudget(0.0)):
        left = phase_remaining()
        assert left is not None and left <= 0
        with network_budget(None):  # apply --wait: its polling spends none
            assert phase_remaining() is None
    assert phase_remaining() is None


def test_a_plan_that_spends_its_network_time_stops_with_one_clear_error(
    tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = staging_project(tmp_path, emulator, monkeypatch)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_bytes(
        (REPO / "data" / "support-train.jsonl").read_bytes()
    )
    project.configure(timeouts={"network": 1})
    project.write(*(local_vertex_spec(f"bot-{i}") for i in range(4)))
    # Every answer takes 0.6 s: the listing and the first token count spend the second.
    emulator.add_fault(kind="latency", latencyMs=600, count=50)
    run = project.run("tuneops plan")
    assert run.code == 1
    assert "the command used up its network time (timeouts.network in tuneops.yaml)" in run.err
    assert "Traceback" not in run.err
    emulator.clear_faults()
    assert project.run("tuneops plan").code == 0
