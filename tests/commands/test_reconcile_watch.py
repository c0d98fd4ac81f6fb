"""`reconcile --watch` backs off on failure and returns to its interval once a cycle works."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from tests.commands.project import Project, use_credentials, vertex_spec
from tests.watch_loop import ScriptedStop
from tuneops.commands.reconcile import reconcile
from tuneops.console import Console
from tuneops.emulator import EmulatorHandle
from tuneops.runtime.inputs import PlanFlags


def test_failures_double_the_delay_and_a_good_cycle_resets_it(
    tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    project = Project(tmp_path, emulator)
    broken = project.root / "specs" / "broken.yaml"
    broken.write_text("apiVersion: tuneops.dev/v1\nkind: TuningJob\n", encoding="utf-8")
    project.write(vertex_spec("bot"))
    stop = ScriptedStop([None, None, broken.unlink, None])
    err = io.StringIO()
    code = reconcile(
        project.root / "tuneops.yaml",
        write_lock=False,
        apply=False,
        detailed_exitcode=False,
        watch=True,
        interval=60.0,
        flags=PlanFlags(),
        console=Console(io.StringIO(), err, color=False),
        stop=stop,
        rng=random.Random(7),
    )
    assert code == 0
    jitter = random.Random(7)
    base = [120.0, 240.0, 480.0, 60.0, 60.0]  # three failures (×2 each), then the interval
    assert stop.delays == pytest.approx([b * jitter.uniform(0.9, 1.1) for b in base])
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("reconcile cycle 1 failed: ")
    assert lines[0].endswith("; next try in 120s")
    assert "reconcile cycle 4: 0 recorded, 1 changes waiting, 0 drift" in lines
    assert lines[-1] == "reconcile stopped after 5 cycles"


def test_the_backoff_is_capped_at_ten_minutes_or_the_interval(
    tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    project = Project(tmp_path, emulator)
    (project.root / "specs" / "broken.yaml").write_text("kind: [\n", encoding="utf-8")
    stop = ScriptedStop([None] * 6)
    reconcile(
        project.root / "tuneops.yaml",
        write_lock=False,
        apply=False,
        detailed_exitcode=False,
        watch=True,
        interval=100.0,
        flags=PlanFlags(),
        console=Console(io.StringIO(), io.StringIO(), color=False),
        stop=stop,
        rng=random.Random(1),
    )
    jitter = random.Random(1)
    base = [200.0, 400.0, 600.0, 600.0, 600.0, 600.0, 600.0]
    assert stop.delays == pytest.approx([b * jitter.uniform(0.9, 1.1) for b in base])
