"""The argument parser: one module per command, built only for the command that runs."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from tuneops.arguments import COMMANDS, UsageParser, build_parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_is_listed_once_in_the_order_help_shows() -> None:
    assert list(_subcommands(build_parser())) == [name for name, _, _ in COMMANDS]


@pytest.mark.parametrize(("name", "module"), [(n, m) for n, m, _ in COMMANDS])
def test_each_command_has_a_module_that_adds_its_flags(name: str, module: str) -> None:
    assert callable(importlib.import_module(f"tuneops.arguments.{module}").add_arguments)
    parser = _subcommands(build_parser())[name]
    assert isinstance(parser, UsageParser)
    before = len(parser._actions)  # only -h until the command is parsed
    parser.complete()
    assert parser.description or name == "github"
    assert len(parser._actions) > before
    parser.complete()  # a second time adds nothing, so no flag clashes with itself
    assert parser.format_help()


def test_parsing_one_command_imports_only_that_commands_module() -> None:
    script = (
        "import sys; from tuneops.arguments import build_parser;"
        "build_parser().parse_args(['validate', 'x.yaml']);"
        "print(sorted(m for m in sys.modules if m.startswith('tuneops.arguments.')))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == "['tuneops.arguments.usage', 'tuneops.arguments.validate']"


def test_the_plan_flags_are_shared_by_plan_apply_and_reconcile() -> None:
    for command in ("plan", "apply", "reconcile"):
        args = build_parser().parse_args([command, "--target", "a", "--max-cancel", "7"])
        assert (args.target, args.max_cancel, args.retry_failed) == (["a"], 7, False)


def test_a_usage_error_in_a_subcommand_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["github", "commnt", "x"])
    assert stopped.value.code == 1
    assert capsys.readouterr().err.rstrip().endswith("; did you mean 'comment'?")
