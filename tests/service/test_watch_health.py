"""`/healthz` and `/readyz` over real HTTP, as the kubelet probes them: ready flips
when the service stops answering and comes back when it returns; alive flips only
when the loop is stuck (docs/running-on-a-schedule.md, "Health")."""

from __future__ import annotations

import contextlib
import io
import random
from pathlib import Path

import pytest

from tests.commands.project import Project, use_credentials, vertex_spec
from tests.service.scrape import bound_port, probe, scrape, value
from tests.watch_loop import LoopClock, ScriptedStop
from tuneops.commands.reconcile import reconcile
from tuneops.console import Console
from tuneops.emulator import EmulatorConfig, EmulatorHandle, start_emulator
from tuneops.runtime.inputs import PlanFlags
from tuneops.service.health import GRACE
from tuneops.service.listen import Listen

INTERVAL = 30.0
NETWORK = 2.0  # timeouts.network: a cycle's budget is this + GRACE


class Outage:
    """An emulator the test stops and starts again on the same port and state."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.port = 0
        self.handle: EmulatorHandle | None = None
        self._running: contextlib.ExitStack | None = None

    def start(self) -> EmulatorHandle:
        config = EmulatorConfig(state_path=self.state, port=self.port, frozen_clock=True)
        stack = contextlib.ExitStack()
        self.handle = stack.enter_context(start_emulator(config))
        self.port, self._running = self.handle.port, stack
        return self.handle

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None


def test_ready_flips_with_the_service_and_alive_only_when_the_loop_is_stuck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    outage = Outage(tmp_path / "emulator.sqlite")
    project = Project(tmp_path / "project", outage.start())
    project.configure(timeouts={"listing": 1, "network": NETWORK})
    project.write(vertex_spec("bot"))
    # One refused listing before the first cycle's answer: counted, and retried.
    assert outage.handle is not None
    outage.handle.add_fault(
        method="GET", path=r"/tuningJobs$", kind="status", status=503, retryAfter=0, count=1
    )
    err = io.StringIO()
    clock = LoopClock()

    def up_then_stop() -> None:
        port = bound_port(err.getvalue())
        assert probe(port, "/readyz") == (
            200,
            {"status": "ok", "reason": "the last cycle succeeded 0 s ago"},
        )
        assert probe(port, "/healthz")[0] == 200
        samples = scrape(port)
        assert value(samples, "tuneops_remote_retries_total", service="vertex", code="503") == 1
        assert value(samples, "tuneops_remote_requests_total", service="vertex", code="503") == 1
        outage.stop()

    def down_then_return() -> None:
        port = bound_port(err.getvalue())
        code, body = probe(port, "/readyz")
        assert code == 503
        assert body["reason"].startswith(
            f"the last cycle failed: nothing listens at http://127.0.0.1:{outage.port}"
        )
        assert probe(port, "/healthz") == (
            200,
            {"status": "ok", "reason": f"sleeping; next cycle in {stop.delays[-1]:.0f} s"},
        )
        samples = scrape(port)
        assert value(samples, "tuneops_reconcile_cycles_total", result="failure") == 1
        assert value(samples, "tuneops_remote_requests_total", service="vertex", code="none") > 0
        outage.start()

    def back_then_stuck() -> None:
        port = bound_port(err.getvalue())
        assert probe(port, "/readyz")[0] == 200
        # The loop oversleeps: nothing woke it past its next cycle and the grace.
        clock.advance(stop.delays[-1] + GRACE + 1)
        code, body = probe(port, "/healthz")
        assert code == 503
        assert body["reason"].startswith("the loop overslept its next cycle by ")
        assert probe(port, "/readyz")[0] == 200  # its last success is still fresh enough
        clock.advance(INTERVAL * 1.1 + NETWORK + GRACE)
        code, body = probe(port, "/readyz")
        assert code == 503
        assert body["reason"].startswith("the last successful cycle ended ")

    stop = ScriptedStop([up_then_stop, down_then_return, back_then_stuck])
    try:
        code = reconcile(
            project.root / "tuneops.yaml",
            write_lock=False,
            apply=False,
            detailed_exitcode=False,
            watch=True,
            interval=INTERVAL,
            flags=PlanFlags(),
            console=Console(io.StringIO(), err, color=False),
            stop=stop,
            rng=random.Random(5),
            metrics=Listen("127.0.0.1", 0),
            clock=clock,
        )
    finally:
        outage.stop()
    assert code == 0, err.getvalue()
    assert len(stop.delays) == 4, err.getvalue()


def test_a_refused_credential_makes_the_loop_unready(
    tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    token = "a-token-the-service-refuses"
    monkeypatch.setenv("TUNEOPS_ACCESS_TOKEN", token)
    project = Project(tmp_path, emulator)
    project.write(vertex_spec("bot"))
    # The service refuses the credential, and echoes it back (a careless proxy would).
    emulator.add_fault(kind="status", status=403, count=50, message=f"refused: Bearer {token}")
    err = io.StringIO()
    verdicts: list[tuple[int, dict[str, str]]] = []

    def look() -> None:
        verdicts.append(probe(bound_port(err.getvalue()), "/readyz"))

    reconcile(
        project.root / "tuneops.yaml",
        write_lock=False,
        apply=False,
        detailed_exitcode=False,
        watch=True,
        interval=INTERVAL,
        flags=PlanFlags(),
        console=Console(io.StringIO(), err, color=False),
        stop=ScriptedStop([look]),
        metrics=Listen("127.0.0.1", 0),
        clock=LoopClock(),
    )
    [(code, body)] = verdicts
    assert code == 503
    assert body["reason"].startswith("the last cycle failed: ")
    assert "refused: Bearer <redacted>" in body["reason"]
    assert token not in err.getvalue() + body["reason"]
