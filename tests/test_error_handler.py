"""The error funnel: each kind of failure gives one line and its exit code."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tuneops.console import Console
from tuneops.error_handler import crash_log_path, error_handler
from tuneops.errors import UsageError


def _run(exc: BaseException, start: Path) -> tuple[int | None, str]:
    err = io.StringIO()
    with error_handler(Console(io.StringIO(), err, color=False), start) as outcome:
        raise exc
    return outcome.code, err.getvalue()


def test_an_expected_error_is_one_line_and_exit_1(tmp_path: Path) -> None:
    assert _run(UsageError("no such thing"), tmp_path) == (1, "error: no such thing\n")


def test_ctrl_c_exits_130(tmp_path: Path) -> None:
    assert _run(KeyboardInterrupt(), tmp_path) == (130, "interrupted\n")


def test_a_bug_writes_a_crash_log_inside_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tuneops.yaml").write_text("stack: s\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, err = _run(ZeroDivisionError("boom"), tmp_path)
    log = tmp_path / ".tuneops" / "crash.log"
    assert code == 1
    assert err == (
        f"error: internal error in tuneops (a bug; please report it); details in {log}\n"
    )
    report = log.read_text("utf-8")
    assert report.startswith("tuneops ")
    assert "ZeroDivisionError: boom" in report


def test_outside_a_project_the_crash_log_goes_to_the_temp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    assert crash_log_path(tmp_path).parent == tmp_path / "tmp"
    _run(RuntimeError("x"), tmp_path)
    assert not (tmp_path / ".tuneops").exists()
    assert "RuntimeError: x" in crash_log_path(tmp_path).read_text("utf-8")


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    # `tuneops schema spec | head -1`: the reader is gone before tuneops writes.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    read_end, write_end = os.pipe()
    os.close(read_end)
    child = subprocess.run(
        [sys.executable, "-m", "tuneops", "schema", "spec"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    os.close(write_end)
    assert (child.returncode, child.stderr) == (1, "")
    assert not (tmp_path / ".tuneops").exists()


@pytest.mark.parametrize("argv", [["plan", "--no-such-flag"], ["nosuch"], []])
def test_usage_errors_exit_1_never_2(argv: list[str]) -> None:
    from tuneops.cli import main

    err = io.StringIO()
    with pytest.raises(SystemExit) as stop:
        sys_stderr, sys.stderr = sys.stderr, err
        try:
            main(argv, Console(io.StringIO(), err, color=False))
        finally:
            sys.stderr = sys_stderr
    assert stop.value.code == 1
    assert "usage: tuneops" in err.getvalue()
