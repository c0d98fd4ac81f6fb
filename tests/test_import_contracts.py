"""The import-linter contracts cover the whole tree: no top-level module escapes them."""

from __future__ import annotations

import pkgutil
import sys
from pathlib import Path
from typing import Any

import pytest

import tuneops
import tuneops.backends

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
    # The tree's layers; the rooms of tuneops.backends have a layers contract of their own.
    (layers,) = [c for c in _contracts() if c["type"] == "layers" and "containers" not in c]
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


def test_nothing_but_the_transport_may_reach_requests() -> None:
    # A new module, or a new room of tuneops.backends, must not escape the contract.
    (contract,) = [
        c
        for c in _contracts()
        if "requests" in c.get("forbidden_modules", ())
        and "tuneops.backends.transport.** -> requests" in c.get("ignore_imports", ())
    ]
    rooms = {
        f"tuneops.backends.{info.name}" for info in pkgutil.iter_modules(tuneops.backends.__path__)
    }
    outside = _top_level_modules() - {"tuneops.backends", "tuneops.watchdog"}
    assert set(contract["source_modules"]) == outside | (rooms - {"tuneops.backends.transport"})
    assert contract["allow_indirect_imports"] is False
