"""Golden cases: every file under tests/data/specs is validated and compared.

Adding a regression test means adding a file: `invalid/NAME.yaml` (or a
directory `invalid/NAME/`, which may hold its own tuneops.yaml) and
`invalid/NAME.expected` with the exact text `tuneops validate` prints. A valid
case prints nothing, or the warnings in its own `valid/NAME.expected`. Run with
TUNEOPS_UPDATE_GOLDEN=1 to (re)write the expected files, then read them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import tuneops

DATA = Path(__file__).resolve().parents[1] / "data" / "specs"
INVALID = sorted(p for p in (DATA / "invalid").iterdir() if p.suffix != ".expected")
VALID = sorted(p for p in (DATA / "valid").iterdir() if p.suffix != ".expected")


def _command(case: Path) -> str:
    if (case / "tuneops.yaml").is_file():
        return f"tuneops -C {case} validate"
    return f"tuneops -C {DATA} validate {case.relative_to(DATA)}"


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_case_reports_exactly_the_expected_diagnostics(case: Path) -> None:
    run = tuneops(_command(case))
    expected = case.with_name(case.stem + ".expected")
    if os.environ.get("TUNEOPS_UPDATE_GOLDEN"):
        expected.write_text(run.out, encoding="utf-8")
    assert run.code == 1
    assert run.out == expected.read_text(encoding="utf-8")
    assert "Traceback" not in run.err


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_case_passes(case: Path) -> None:
    run = tuneops(_command(case))
    expected = case.with_name(case.stem + ".expected")
    if os.environ.get("TUNEOPS_UPDATE_GOLDEN") and run.out:
        expected.write_text(run.out, encoding="utf-8")
    warnings = expected.read_text(encoding="utf-8") if expected.is_file() else ""
    assert (run.code, run.out) == (0, warnings)
    assert run.err.startswith("ok: ")
    assert all(": warning: " in line for line in warnings.splitlines())


def test_every_invalid_case_has_an_expected_file() -> None:
    missing = [c.name for c in INVALID if not c.with_name(c.stem + ".expected").is_file()]
    assert missing == []
