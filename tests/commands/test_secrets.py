"""Keys with stray whitespace and short keys never reach the output, even echoed by a server."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.commands.project import Project, gemini_spec, use_credentials
from tests.hostile import HostileServer, Reply, Seen
from tuneops.emulator import EmulatorHandle

MODELS = r"/v1beta/tunedModels"


@pytest.fixture
def project(
    tmp_path: Path,
    emulator: EmulatorHandle,
    hostile: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Project:
    use_credentials(monkeypatch)
    made = Project(tmp_path, emulator)
    made.configure(gemini={"endpoint": hostile.url})
    made.write(gemini_spec("bot"))
    return made


def echo_key(seen: Seen) -> Reply:
    """A server that quotes the key it got back in its error message."""
    key = seen.headers.get("x-goog-api-key", "")
    return Reply.of(
        403,
        {
            "error": {
                "code": 403,
                "status": "PERMISSION_DENIED",
                "message": f"API key {key} is not valid",
            }
        },
    )


def scan(texts: list[str], secret: str) -> None:
    for text in texts:
        assert secret not in text


def test_a_key_ending_in_a_newline_is_stripped_and_never_shown(
    project: Project,
    hostile: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = "AIzaSy-newline-key-4417"
    monkeypatch.setenv("GEMINI_API_KEY", key + "\n")
    caplog.set_level(logging.DEBUG)
    run = project.run("tuneops plan")
    assert run.code == 0, run.err
    assert hostile.seen[-1].headers["x-goog-api-key"] == key
    assert "GEMINI_API_KEY has leading or trailing whitespace; using it without" in caplog.text
    hostile.rule("GET", MODELS, echo_key)
    failed = project.run("tuneops plan")
    assert failed.code == 1
    assert failed.err.endswith(": 403 PERMISSION_DENIED: API key <redacted> is not valid\n")
    scan([run.out, run.err, failed.out, failed.err, caplog.text], key)


def test_a_short_key_is_redacted_too(
    project: Project,
    hostile: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "Zx8")
    caplog.set_level(logging.DEBUG)
    hostile.rule("GET", MODELS, echo_key)
    run = project.run("tuneops plan")
    assert run.code == 1
    assert run.err.endswith(": 403 PERMISSION_DENIED: API key <redacted> is not valid\n")
    scan([run.out, run.err, caplog.text], "Zx8")


def test_a_key_with_whitespace_inside_is_refused_without_showing_it(
    project: Project, hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "AIza-first-half\nsecond-half")
    run = project.run("tuneops plan")
    assert run.code == 1
    assert run.err == (
        "error: GEMINI_API_KEY contains whitespace or control characters inside it, so it "
        "cannot be a key or token; set it again without them\n"
    )
    assert hostile.seen == []
