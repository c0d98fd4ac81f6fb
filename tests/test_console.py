"""What a terminal user sees: colour by the usual conventions, ASCII when the encoding
cannot carry tuneops' symbols. Run as real processes, on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.commands.project import TOKEN, Project, use_credentials, vertex_spec
from tuneops.emulator import EmulatorHandle

ESC = "\033["


def _offline_project(root: Path) -> Path:
    (root / "specs").mkdir(parents=True)
    config = {"stack": "tty", "defaults": {"project": "acme-ml", "location": "us-central1"}}
    (root / "tuneops.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (root / "specs" / "bot.yaml").write_text(yaml.safe_dump(vertex_spec("bot")), "utf-8")
    return root


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Runs `tuneops ARGS` with stdout and stderr on a pseudo-terminal; returns what it showed."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(env)
    subprocess.run(
        [sys.executable, "-m", "tuneops", *args],
        stdout=follower,
        stderr=follower,
        env=environment,
        check=False,
        timeout=60,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the terminal has no writer left
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return shown.decode("utf-8", errors="replace")


@pytest.mark.parametrize(
    ("flags", "env", "coloured"),
    [
        ([], {"TERM": "xterm-256color"}, True),
        ([], {"TERM": "dumb"}, False),
        (["--no-color"], {"TERM": "xterm-256color"}, False),
        ([], {"TERM": "xterm-256color", "NO_COLOR": "1"}, False),
    ],
)
def test_colour_follows_the_terminal_conventions(
    tmp_path: Path, flags: list[str], env: dict[str, str], coloured: bool
) -> None:
    root = _offline_project(tmp_path)
    shown = _on_a_terminal([*flags, "-C", str(root), "plan", "--offline"], env)
    assert "create" in shown
    assert (ESC in shown) is coloured


def test_a_plan_on_an_ascii_stream_uses_ascii_stand_ins(
    tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch)
    project = Project(tmp_path, emulator)
    project.write(vertex_spec("bot", epochs=3))
    project.run("tuneops apply --auto-approve")
    project.write(vertex_spec("bot", epochs=4))
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "TUNEOPS_ACCESS_TOKEN": TOKEN}

    run = subprocess.run(
        [sys.executable, "-m", "tuneops", "-C", str(tmp_path), "plan"],
        capture_output=True,
        env=env,
        check=False,
        timeout=60,
    )

    out = run.stdout.decode("ascii")
    assert run.returncode == 0, run.stderr
    assert "  * replace  bot  spec changed" in out
    assert "hyperParameters.epochCount: 3 -> 4" in out
    assert not (tmp_path / ".tuneops" / "crash.log").exists()
