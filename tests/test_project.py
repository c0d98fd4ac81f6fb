"""tuneops.yaml is validated like a spec: every problem with its position."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import tuneops

DATA = Path(__file__).resolve().parent / "data" / "config"
INVALID = sorted(p for p in (DATA / "invalid").glob("*.yaml"))


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_config_reports_exactly_the_expected_diagnostics(case: Path) -> None:
    run = tuneops(f"tuneops -C {DATA} --config invalid/{case.name} validate")
    expected = case.with_suffix(".expected")
    if os.environ.get("TUNEOPS_UPDATE_GOLDEN"):
        expected.write_text(run.out, encoding="utf-8")
    assert run.code == 1
    assert run.out == expected.read_text(encoding="utf-8")


def test_missing_config_says_how_to_create_one(tmp_path: Path) -> None:
    run = tuneops(f"tuneops -C {tmp_path} validate")
    assert run.code == 1
    assert run.out == ""
    assert run.err == (
        f"error: no configuration file {tmp_path.resolve()}/tuneops.yaml; create one with "
        "`tuneops init`, or pass --config FILE or -C DIR\n"
    )


def test_defaults_apply_when_the_config_leaves_them_out(tmp_path: Path) -> None:
    (tmp_path / "tuneops.yaml").write_text("stack: minimal\n", encoding="utf-8")
    (tmp_path / "specs").mkdir()
    run = tuneops(f"tuneops -C {tmp_path} validate")
    assert (run.code, run.err) == (0, "ok: 0 specs in 0 files, all valid\n")
