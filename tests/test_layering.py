"""The architecture rules that docs/architecture.md states, checked on every import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tuneops"
PURE = ["planner.py", "recording.py", "status.py", "drift.py", "importer.py", "plan.py"]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _modules(under: Path) -> list[Path]:
    return sorted(under.rglob("*.py"))


def test_the_emulator_imports_nothing_from_the_client_side() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            m
            for m in _imports(path)
            if m.startswith("tuneops") and not m.startswith("tuneops.emulator")
        )
        for path in _modules(PACKAGE / "emulator")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_requests_and_google_auth_are_imported_only_in_backends() -> None:
    offenders = sorted(
        str(path.relative_to(PACKAGE))
        for path in _modules(PACKAGE)
        if "backends" not in path.parts
        and any(m.split(".")[0] == "requests" or m.startswith("google.") for m in _imports(path))
    )
    assert offenders == []


@pytest.mark.parametrize("name", PURE)
def test_pure_modules_do_no_io(name: str) -> None:
    forbidden = {
        "os",
        "subprocess",
        "socket",
        "requests",
        "tuneops.remote",
        "tuneops.applier",
        "tuneops.lockfile.write_lockfile",
        "time",
        "pathlib",
    }
    assert _imports(PACKAGE / name) & forbidden == set()
