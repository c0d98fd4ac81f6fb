"""An endpoint that cannot be reached: say so as it happens, then end with one plain line."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
import yaml

from tests.commands.project import use_credentials, vertex_spec
from tests.helpers import tuneops
from tuneops.backends.clock import SystemClock


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens there once the socket is closed


def test_retries_are_shown_as_they_happen_and_the_end_is_one_plain_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    slept: list[float] = []
    monkeypatch.setattr(SystemClock, "sleep", lambda self, seconds: slept.append(seconds))
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    config = {
        "stack": "e2e",
        "defaults": {"project": "acme-ml", "location": "us-central1"},
        "vertex": {"endpoint": endpoint},
    }
    (tmp_path / "tuneops.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bot.yaml").write_text(yaml.safe_dump(vertex_spec("bot")), "utf-8")

    run = tuneops(f"tuneops -C {tmp_path} plan")

    lines = run.err.splitlines()
    assert run.code == 1
    assert len(lines) == 6 and len(slept) == 5
    for attempt, (line, delay) in enumerate(zip(lines, slept, strict=False), start=1):
        shown = re.fullmatch(
            rf"GET {endpoint}: retrying in (\d+(\.\d)?) s \(attempt {attempt} of 6\): "
            "connection refused",
            line,
        )
        assert shown is not None, line
        assert float(shown.group(1)) == pytest.approx(delay, abs=0.5)
    assert re.fullmatch(rf"error: GET {endpoint}/v1/\S+: connection refused", lines[-1])
    assert "urllib3" not in run.err and "Errno" not in run.err
