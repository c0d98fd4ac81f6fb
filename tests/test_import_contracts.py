"""The import-linter contracts cover the whole tree: no top-level module escapes them."""

from __future__ import annotations

import pkgutil
import sys
from pathlib import Path
from typing import Any

import pytest

import tuneops

if sys.version_info >= (3, 11):
    import tomllib
else:  # import-linter reads pyproject.toml with tomli there
    tomllib = pytest.importorskip("tomli")

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _top_level_modules() -> set[str]:
    return {f"tuneops.{info.name}" for info in pkgutil.iter_modules(tuneops.__path__)}


def _layered() -> set[str]:
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    return {name.strip() for layer in layers["layers"] for name in layer.split("|")}


def test_every_top_level_module_has_a_layer() -> None:
    # A new module outside the list would be free to import anything.
    assert _top_level_modules() - _layered() == set()


def test_only_the_declared_places_may_import_the_emulator() -> None:
    (contract,) = [c for c in _contracts() if c.get("forbidden_modules") == ["tuneops.emulator"]]
    assert set(contract["source_modules"]) == _top_level_modules() - {"tuneops.emulator"}
    assert contract["ignore_imports"] == [
        "tuneops.commands.emulator -> tuneops.emulator",
        "tuneops.runtime.session -> tuneops.emulator",
    ]
