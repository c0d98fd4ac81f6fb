"""`reconcile --watch --metrics-port 0` against the embedded emulator: the metrics a
Prometheus would scrape match the emulator's jobs after creates, a cancel, drift
and a failed cycle."""

from __future__ import annotations

import io
import json
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import yaml

from tests.commands.project import DATASET_LINE, local_vertex_spec
from tests.helpers import tuneops
from tests.service.scrape import Samples, bound_port, probe, scrape, series, value
from tests.watch_loop import ScriptedStop
from tuneops.commands.reconcile import reconcile
from tuneops.console import Console
from tuneops.emulator import EmulatorConfig, EmulatorHandle, start_emulator
from tuneops.runtime.inputs import PlanFlags
from tuneops.service.listen import Listen

JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"
STATES = {
    "JOB_STATE_QUEUED": "pending",
    "JOB_STATE_PENDING": "pending",
    "JOB_STATE_RUNNING": "running",
    "JOB_STATE_SUCCEEDED": "succeeded",
    "JOB_STATE_FAILED": "failed",
    "JOB_STATE_CANCELLING": "cancelling",
    "JOB_STATE_CANCELLED": "cancelled",
}


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project on the embedded emulator whose jobs run until forced to end."""
    for name in ("TUNEOPS_VERTEX_ENDPOINT", "STORAGE_EMULATOR_HOST", "TUNEOPS_LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TUNEOPS_EMBEDDED_JOB_SECONDS", "100000")
    config = {
        "stack": "watched",
        "defaults": {"project": "acme-ml", "location": "us-central1"},
        "vertex": {"endpoint": "embedded", "stagingBucket": "gs://watched-staging"},
    }
    (tmp_path / "tuneops.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_bytes(DATASET_LINE * 3)
    (tmp_path / "specs").mkdir()
    for name in ("alpha", "beta", "gamma"):
        spec = yaml.safe_dump(local_vertex_spec(name))
        (tmp_path / "specs" / f"{name}.yaml").write_text(spec, encoding="utf-8")
    return tmp_path


@contextmanager
def embedded_state(root: Path) -> Iterator[EmulatorHandle]:
    """The embedded emulator's state, opened by the test while the loop sleeps
    (the loop's own emulator lives only during a cycle)."""
    config = EmulatorConfig(state_path=root / ".tuneops" / "emulator.sqlite", auth=False)
    with start_emulator(config) as handle:
        yield handle


def remote_jobs(handle: EmulatorHandle) -> list[dict[str, str]]:
    """Every job of the stack: its name, spec and state, from the API."""
    answer = requests.get(f"{handle.url}{JOBS}", params={"pageSize": 100}, timeout=10)
    answer.raise_for_status()
    return [
        {
            "name": job["name"],
            "spec": job["labels"]["tuneops-name"],
            "state": STATES[job["state"]],
        }
        for job in answer.json().get("tuningJobs", [])
        if job.get("labels", {}).get("tuneops-stack") == "watched"
    ]


def jobs_metric(samples: Samples) -> dict[tuple[str, str], float]:
    """`tuneops_tuning_jobs` as {(spec, state): count}."""
    found = series(samples, "tuneops_tuning_jobs")
    return {(dict(labels)["spec"], dict(labels)["state"]): n for labels, n in found.items()}


def counted(jobs: list[dict[str, str]]) -> dict[tuple[str, str], float]:
    """The emulator's jobs counted the way the metric counts them."""
    result: dict[tuple[str, str], float] = {}
    for job in jobs:
        key = (job["spec"], job["state"])
        result[key] = result.get(key, 0) + 1
    return result


def standing(samples: Samples) -> dict[str, str]:
    """`tuneops_spec_status` as {spec: status}."""
    found = series(samples, "tuneops_spec_status")
    return {dict(labels)["spec"]: dict(labels)["status"] for labels, n in found.items() if n == 1}


def test_metrics_follow_the_emulators_jobs(root: Path) -> None:
    planned = tuneops(f"tuneops -C {root} plan --format json")
    assert planned.code == 0, planned.err
    costs = [a["cost"]["amount"] for a in json.loads(planned.out)["actions"]]
    assert len(costs) == 3 and all(c > 0 for c in costs)
    err = io.StringIO()
    seen: dict[str, Samples] = {}
    names: dict[str, str] = {}

    def after_creates() -> None:
        port = bound_port(err.getvalue())
        seen["creates"] = samples = scrape(port)
        with embedded_state(root) as handle:
            jobs = remote_jobs(handle)
            # Creates are listed again after the apply: pending or running, one each.
            assert {j["spec"] for j in jobs} == {"alpha", "beta", "gamma"}
            got = jobs_metric(samples)
            assert sum(got.values()) == 3
            for job in jobs:
                assert sum(n for (spec, _), n in got.items() if spec == job["spec"]) == 1
            names.update({j["spec"]: j["name"] for j in jobs})
            handle.force(names["alpha"], "succeed")
            handle.force(names["beta"], "fail")  # failed outside tuneops: drift
        (root / "specs" / "gamma.yaml").unlink()  # the next cycle cancels its job
        assert value(samples, "tuneops_estimated_cost_applied_total", currency="USD") == (
            pytest.approx(sum(costs))
        )
        assert value(samples, "tuneops_remote_requests_total", service="vertex", code="200") > 0
        assert probe(port, "/readyz")[0] == 200

    def after_cancel() -> None:
        port = bound_port(err.getvalue())
        seen["cancel"] = samples = scrape(port)
        assert standing(samples) == {"alpha": "in_sync", "beta": "drifted"}
        assert value(samples, "tuneops_specs", status="drifted") == 1
        assert value(samples, "tuneops_specs", status="in_sync") == 1
        assert value(samples, "tuneops_live_endpoints") == 1
        got = jobs_metric(samples)
        assert got[("alpha", "succeeded")] == 1
        assert got[("beta", "failed")] == 1
        assert ("gamma", "cancelling") in got or ("gamma", "cancelled") in got
        # The next cycle fails: a spec that does not validate.
        (root / "specs" / "broken.yaml").write_text("kind: [\n", encoding="utf-8")

    def after_failure() -> None:
        port = bound_port(err.getvalue())
        before, samples = seen["cancel"], scrape(port)
        assert value(samples, "tuneops_reconcile_cycles_total", result="failure") == 1
        assert value(samples, "tuneops_reconcile_cycles_total", result="success") == 2
        assert value(samples, "tuneops_reconcile_duration_seconds_count", result="failure") == 1
        last = "tuneops_last_successful_reconcile_timestamp_seconds"
        assert value(samples, last) == value(before, last)
        assert jobs_metric(samples) == jobs_metric(before)  # the last good cycle's view
        code, body = probe(port, "/readyz")
        assert (code, body["status"]) == (503, "fail")
        assert body["reason"].startswith("the last cycle failed: ")
        assert probe(port, "/healthz")[0] == 200  # a failing cycle is no reason to restart
        (root / "specs" / "broken.yaml").unlink()
        with embedded_state(root) as handle:  # let the cancel finish
            deadline = time.monotonic() + 10
            while any(j["state"] == "cancelling" for j in remote_jobs(handle)):
                assert time.monotonic() < deadline
                time.sleep(0.1)

    def settled() -> None:
        port = bound_port(err.getvalue())
        samples = scrape(port)
        with embedded_state(root) as handle:
            jobs = remote_jobs(handle)
        assert jobs_metric(samples) == counted(jobs)
        assert jobs_metric(samples) == {
            ("alpha", "succeeded"): 1,
            ("beta", "failed"): 1,
            ("gamma", "cancelled"): 1,
        }
        assert value(samples, "tuneops_reconcile_cycles_total", result="success") == 3
        assert probe(port, "/readyz")[0] == 200

    stop = ScriptedStop([after_creates, after_cancel, after_failure, settled])
    code = reconcile(
        root / "tuneops.yaml",
        write_lock=False,
        apply=True,
        detailed_exitcode=False,
        watch=True,
        interval=60.0,
        flags=PlanFlags(),
        console=Console(io.StringIO(), err, color=False),
        stop=stop,
        rng=random.Random(3),
        metrics=Listen("127.0.0.1", 0),
    )
    assert code == 0, err.getvalue()
    assert len(stop.delays) == 5, err.getvalue()
    assert "reconcile cycle 3 failed: " in err.getvalue()
