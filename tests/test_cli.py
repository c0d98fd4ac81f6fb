"""The command line as a new user meets it: mistypes, a wrong --config, and --help."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import tuneops


def _usage_error(capsys: pytest.CaptureFixture[str], command_line: str) -> str:
    with pytest.raises(SystemExit) as exited:
        tuneops(command_line)
    assert exited.value.code == 1
    return capsys.readouterr().err.splitlines()[-1]


def test_a_mistyped_command_suggests_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    line = _usage_error(capsys, "tuneops pln")
    assert line.startswith("tuneops: error: argument COMMAND: invalid choice: 'pln'")
    assert line.endswith("; did you mean 'plan'?")


def test_a_mistyped_choice_suggests_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    assert _usage_error(capsys, "tuneops plan --format jsn").endswith("; did you mean 'json'?")


def test_nothing_close_suggests_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert "did you mean" not in _usage_error(capsys, "tuneops xyzzy")


def test_a_missing_config_file_given_with_config_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = tuneops("tuneops --config nope.yaml plan")
    assert (run.code, run.err) == (1, "error: --config nope.yaml: no such file\n")


def test_without_a_config_file_it_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = tuneops("tuneops plan")
    assert run.err == (
        f"error: no configuration file {tmp_path / 'tuneops.yaml'}; create one with "
        "`tuneops init`, or pass --config FILE or -C DIR\n"
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("apply", ["Plan, ask for confirmation", "--parallelism N", "(default: 8)"]),
        ("wait", ["Poll until", "NAME", "only these specs", "(default: 10s)"]),
        ("reconcile", ["Record what finished", "(default: 5m)"]),
        ("status", ["One row per spec", "a table, or JSON", "only these specs"]),
        ("plan", ["Compare the specs", "Markdown for pull requests"]),
        ("validate", ["GitHub workflow annotations"]),
        ("init", ["DIR", "where (default: the current directory)"]),
        ("emulator", ["--job-seconds SECONDS", "how long a job runs (default: 30.0)"]),
    ],
)
def test_help_describes_each_command_and_its_defaults(
    capsys: pytest.CaptureFixture[str], command: str, expected: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        tuneops(f"tuneops {command} --help")
    assert exited.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    for text in expected:
        assert " ".join(text.split()) in shown
