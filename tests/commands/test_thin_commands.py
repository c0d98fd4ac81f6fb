"""Commands stay thin: parse, call one library function, hand the result to a view.

Workflows live in runtime/, core/ or github/ with tests of their own; a command
module that grows past the limit is holding one (issue 21).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import tuneops.commands

COMMANDS = sorted(Path(tuneops.commands.__file__).parent.glob("*.py"))
MAX_LINES = 80


def test_there_are_command_modules_to_check() -> None:
    assert len(COMMANDS) >= 12


@pytest.mark.parametrize("module", COMMANDS, ids=lambda path: path.name)
def test_each_command_module_is_under_the_limit(module: Path) -> None:
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines < MAX_LINES, (
        f"tuneops/commands/{module.name} has {lines} lines: move its workflow to "
        "runtime/, core/ or github/ (docs/architecture.md)"
    )
