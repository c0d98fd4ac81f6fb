"""An endpoint that fails: say so as it happens, then end with one plain line; a local
endpoint where nothing listens: say at once that the emulator is not running."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
import yaml

from tests.commands.project import use_credentials, vertex_spec
from tests.helpers import tuneops
from tuneops.backends.transport.clock import SystemClock
from tuneops.emulator import EmulatorHandle


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens there once the socket is closed


def test_retries_are_shown_as_they_happen_and_the_end_is_one_plain_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator: EmulatorHandle
) -> None:
    use_credentials(monkeypatch)
    slept: list[float] = []
    monkeypatch.setattr(SystemClock, "sleep", lambda self, seconds: slept.append(seconds))
    emulator.add_fault(kind="status", status=503, count=100)
    endpoint = emulator.url
    _project(tmp_path, endpoint)

    run = tuneops(f"tuneops -C {tmp_path} plan")

    lines = run.err.splitlines()
    assert run.code == 1
    assert len(lines) == 6 and len(slept) == 5
    for attempt, (line, delay) in enumerate(zip(lines, slept, strict=False), start=1):
        shown = re.fullmatch(
            rf"GET {endpoint}: retrying in (\d+(\.\d)?) s \(attempt {attempt} of 6\): "
            "The service is currently unavailable.",
            line,
        )
        assert shown is not None, line
        assert float(shown.group(1)) == pytest.approx(delay, abs=0.5)
    assert re.fullmatch(
        rf"error: GET {endpoint}/v1/\S+: 503 UNAVAILABLE: The service is currently unavailable.",
        lines[-1],
    )


def _project(tmp_path: Path, endpoint: str) -> None:
    config = {
        "stack": "e2e",
        "defaults": {"project": "acme-ml", "location": "us-central1"},
        "vertex": {"endpoint": endpoint},
    }
    (tmp_path / "tuneops.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bot.yaml").write_text(yaml.safe_dump(vertex_spec("bot")), "utf-8")


def _not_running(port: int) -> str:
    return (
        f"error: nothing listens at http://127.0.0.1:{port}, so the tuneops emulator is not "
        f"running: start it with `tuneops emulator --port {port}`, or set `endpoint: embedded` "
        "in tuneops.yaml to run it inside tuneops\n"
    )


def test_a_loopback_endpoint_where_nothing_listens_says_the_emulator_is_not_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    slept: list[float] = []
    monkeypatch.setattr(SystemClock, "sleep", lambda self, seconds: slept.append(seconds))
    port = _closed_port()
    _project(tmp_path, f"http://127.0.0.1:{port}")

    run = tuneops(f"tuneops -C {tmp_path} plan")

    assert (run.code, run.out, run.err) == (1, "", _not_running(port))
    assert slept == []  # a refused loopback connection is not retried


def test_without_credentials_a_stopped_emulator_is_named_before_gcloud_auth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import google.auth.compute_engine._metadata as metadata

    use_credentials(monkeypatch)
    monkeypatch.delenv("TUNEOPS_ACCESS_TOKEN")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setattr(metadata, "_NO_GCE_CHECK", True)
    port = _closed_port()
    _project(tmp_path, f"http://127.0.0.1:{port}")

    run = tuneops(f"tuneops -C {tmp_path} plan")

    assert (run.code, run.out, run.err) == (1, "", _not_running(port))
