"""`tuneops init`'s scaffold: a project that validates at once, and never an overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuneops.errors import UsageError
from tuneops.runtime.scaffolding import scaffold, stack_name
from tuneops.runtime.validation import validate


def test_the_scaffold_is_a_valid_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "My Project"
    written = scaffold(root)
    assert [p.relative_to(root).as_posix() for p in written] == [
        "tuneops.yaml",
        "specs/example.yaml",
        "data/example.jsonl",
        "schemas/spec.schema.json",
        "schemas/config.schema.json",
        "schemas/lockfile.schema.json",
        ".gitignore",
    ]
    assert "stack: my-project\n" in (root / "tuneops.yaml").read_text(encoding="utf-8")
    monkeypatch.chdir(root)
    found = validate([], None)
    assert (found.errors, [s.name for s in found.specs]) == ([], ["example"])


def test_a_second_scaffold_writes_nothing(tmp_path: Path) -> None:
    scaffold(tmp_path)
    config = (tmp_path / "tuneops.yaml").read_text(encoding="utf-8")
    with pytest.raises(UsageError, match=r"^refusing to overwrite .*; nothing was written$"):
        scaffold(tmp_path)
    assert (tmp_path / "tuneops.yaml").read_text(encoding="utf-8") == config


@pytest.mark.parametrize(
    ("directory", "stack"),
    [("My Project", "my-project"), ("2024 models", "models"), ("__", "tuneops")],
)
def test_the_stack_is_named_after_the_directory(tmp_path: Path, directory: str, stack: str) -> None:
    assert stack_name(tmp_path / directory) == stack
