"""The chaos suite: apply through 30% 429s, 10% 503s and answers lost after the
request was carried out, on Vertex AI and Cloud Storage calls alike.

It converges with exactly one job per spec and every dataset pinned. Retry sleeps
are recorded, not waited (the clock is injectable), so the storm costs no time.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.commands.project import Project, local_vertex_spec, staging_project, vertex_spec
from tuneops.backends.transport.clock import SystemClock
from tuneops.emulator import EmulatorHandle

LINE = (
    '{"contents": [{"role": "user", "parts": [{"text": "Where is my order?"}]}, '
    '{"role": "model", "parts": [{"text": "It ships today."}]}]}\n'
)
NAMES = [f"bot-{index}" for index in range(6)]


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    made = staging_project(tmp_path, emulator, monkeypatch, "gs://acme-staging/tuning")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text(LINE * 3, encoding="utf-8")
    for name in NAMES:
        spec = vertex_spec(name)
        spec["spec"]["trainingDataset"] = f"gs://acme/stack/{name}/train.jsonl"
        spec["spec"]["validationDataset"] = f"gs://acme/stack/{name}/val.jsonl"
        made.write(spec)
    made.write(local_vertex_spec("local-bot"))  # staged: an upload under the storm
    return made


def storm(emulator: EmulatorHandle) -> None:
    """Every API path, Vertex and storage: faults are taken in order, each by its share."""
    forever = 10**9
    emulator.add_fault(kind="status", status=429, count=forever, probability=0.3)
    emulator.add_fault(kind="status", status=503, count=forever, probability=0.1)
    emulator.add_fault(kind="commit-then-fail", drop=True, count=forever, probability=0.1)


def test_apply_converges_through_the_storm_with_one_job_per_spec_and_every_pin(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(SystemClock, "sleep", lambda self, seconds: slept.append(seconds))
    storm(emulator)
    run = project.run("tuneops apply --auto-approve --parallelism 4")
    assert run.code == 0, run.out + run.err
    emulator.clear_faults()
    jobs = Counter(job["labels"]["tuneops-name"] for job in project.remote())
    assert jobs == Counter([*NAMES, "local-bot"])
    lock = project.lock()
    for name in NAMES:
        pins = lock[name]["pending"]["spec"]["datasetPins"]
        assert sorted(pins) == ["trainingDataset", "validationDataset"]
        assert all(pin["exampleCount"] == 1 for pin in pins.values())
    run = project.run("tuneops plan --detailed-exitcode")
    assert (run.code, run.out) == (0, "No changes. The remote jobs match the specs.\n")
    storage_calls = sum(n for key, n in emulator.request_counts().items() if "/storage/" in key)
    assert storage_calls > 0 and slept  # the storm reached storage, and was waited out
