"""The command line of the watch service: the flags, the logged port, a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from tests.commands.project import DATASET_LINE, local_vertex_spec
from tests.helpers import tuneops
from tests.service.scrape import probe, scrape, value


def test_metrics_need_watch(tmp_path: Path) -> None:
    run = tuneops(f"tuneops -C {tmp_path} reconcile --metrics-port 0")
    assert run.code == 1
    assert run.err == "error: --metrics-port needs --watch: one cycle has nothing to serve\n"


def test_the_process_serves_on_the_port_it_logs_until_sigterm(tmp_path: Path) -> None:
    config = {
        "stack": "cli",
        "defaults": {"project": "acme-ml", "location": "us-central1"},
        "vertex": {"endpoint": "embedded", "stagingBucket": "gs://cli-staging"},
    }
    (tmp_path / "tuneops.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_bytes(DATASET_LINE)
    (tmp_path / "specs").mkdir()
    spec = yaml.safe_dump(local_vertex_spec("bot"))
    (tmp_path / "specs" / "bot.yaml").write_text(spec, encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TUNEOPS_VERTEX_ENDPOINT", "STORAGE_EMULATOR_HOST")
    }
    env["TUNEOPS_LOG_FORMAT"] = "json"
    command = f"-m tuneops -C {tmp_path} reconcile --watch --interval 0.2 --metrics-port 0"
    process = subprocess.Popen(
        [sys.executable, *command.split()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    try:
        listening = json.loads(process.stderr.readline())
        assert listening["event"] == "service.listening"
        port = int(listening["port"])
        assert listening["message"] == (
            f"serving /metrics, /healthz and /readyz on http://127.0.0.1:{port}"
        )
        deadline = time.monotonic() + 30
        while probe(port, "/readyz")[0] != 200:
            assert time.monotonic() < deadline, "never ready"
            time.sleep(0.1)
        samples = scrape(port)
        assert value(samples, "tuneops_specs", status="out_of_sync") == 1  # not applied
        assert value(samples, "tuneops_reconcile_cycles_total", result="success") >= 1
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    last = json.loads(err.strip().splitlines()[-1])
    assert last["message"].startswith("reconcile stopped after ")
