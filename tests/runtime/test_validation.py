"""Collect, then report: `validate` gathers every problem of the files a commit touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuneops.runtime.scaffolding import scaffold
from tuneops.runtime.validation import validate


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scaffold(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_problem_is_gathered_with_its_position(root: Path) -> None:
    example = (root / "specs" / "example.yaml").read_text(encoding="utf-8")
    broken = example.replace("name: example", "name: broken").replace(
        "epochCount: 3", "epochCount: 0"
    )
    (root / "specs" / "broken.yaml").write_text(broken, encoding="utf-8")
    (root / "data" / "example.jsonl").write_text("not json\n", encoding="utf-8")
    found = validate([], None)
    located = {(Path(d.location.file).name, d.location.json_path) for d in found.errors}
    assert ("broken.yaml", "$.spec.hyperParameters.epochCount") in located
    assert any(name == "example.jsonl" for name, _ in located)


def test_given_paths_yaml_without_a_spec_is_skipped_and_training_files_checked_once(
    root: Path,
) -> None:
    other = root / "ci.yaml"
    other.write_text("on: push\n", encoding="utf-8")
    data = Path("data/example.jsonl")
    found = validate([Path("specs/example.yaml"), other, data], None)
    assert found.skipped == (other,)
    assert found.errors == []
    assert len(found.diagnostics) == len(set(found.diagnostics))
