"""Reading a saved plan (`tuneops plan --out FILE`): a regular file, bounded in size and depth."""

from __future__ import annotations

from pathlib import Path

from tuneops.core.plan import MAX_PLAN_BYTES, Plan
from tuneops.diagnostics import Diagnostic
from tuneops.errors import TuneopsError, UsageError
from tuneops.specs.source import read_text


def read_plan_file(path: Path) -> Plan:
    """The plan saved in `path`, or a UsageError saying why it cannot be read.

    A plan file is input like any other: no FIFO or device is read, and a file
    too large or nested too deep is refused before it is parsed.
    """
    text = read_text(path, str(path), MAX_PLAN_BYTES)
    try:
        if isinstance(text, Diagnostic):
            raise UsageError(text.message)
        return Plan.from_json(text)
    except TuneopsError as error:
        raise UsageError(f"cannot read the plan file {path}: {error}") from None
