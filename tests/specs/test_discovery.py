"""Spec discovery over hand-made trees: loops and unreadable entries are diagnostics.

A spec directory is user input, like a spec: whatever it holds, discovery
reports a problem at the entry, never a crash, and never skips an entry
silently (a spec that is silently left out would plan the cancel of its job).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import tuneops
from tuneops.specs.loader import check_specs, discover

LOOP = (
    "symlink loop (too many levels of symbolic links); "
    "a spec file must be a regular file or a link to one"
)


def _tree(root: Path, links: dict[str, str]) -> Path:
    specs = root / "specs"
    specs.mkdir()
    for name, target in links.items():
        (specs / name).symlink_to(target)
    return specs


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "tuneops.yaml").write_text(
        "stack: cli\ndefaults: {project: acme-ml, location: us-central1}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("links", "looping"),
    [
        ({"a.yaml": "b.yaml", "b.yaml": "a.yaml"}, ["a.yaml", "b.yaml"]),
        ({"a.yaml": "a.yaml"}, ["a.yaml"]),
    ],
)
def test_a_symlink_loop_is_an_error_at_the_entry(
    project: Path, links: dict[str, str], looping: list[str]
) -> None:
    _tree(project, links)
    result = check_specs([Path("specs")], project, None)
    assert [d.line() for d in result.errors] == [f"specs/{n}: error: $: {LOOP}" for n in looping]


def test_validate_and_plan_report_a_symlink_loop_instead_of_crashing(project: Path) -> None:
    _tree(project, {"a.yaml": "b.yaml", "b.yaml": "a.yaml"})
    for command in ("validate", "plan --offline"):
        run = tuneops(f"tuneops -C {project} {command}")
        shown = run.out + run.err  # validate writes its findings to stdout, plan to stderr
        assert run.code == 1, shown
        assert "internal error" not in shown
        assert f"specs/a.yaml: error: $: {LOOP}" in shown
        assert f"specs/b.yaml: error: $: {LOOP}" in shown


def test_a_directory_link_back_up_the_tree_is_walked_once(project: Path) -> None:
    specs = _tree(project, {"again": "."})
    (specs / "bot.yaml").write_text("x: 1\n", encoding="utf-8")
    files, problems = discover([Path("specs")])
    assert (files, problems) == ([Path("specs/bot.yaml")], [])


@pytest.fixture
def unreadable(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """specs/team, a directory that cannot be listed (chmod 000 does not stop root,
    so the refusal is the one the kernel gives an ordinary user)."""
    team = project / "specs" / "team"
    team.mkdir(parents=True)
    (team / "bot.yaml").write_text("x: 1\n", encoding="utf-8")
    real = os.scandir

    def scandir(path: object) -> object:
        if Path(str(path)).resolve() == team.resolve():
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    yield team


def test_an_unreadable_directory_is_an_error_not_a_silent_skip(
    project: Path, unreadable: Path
) -> None:
    files, problems = discover([Path("specs")])
    assert files == []
    assert [d.line() for d in problems] == [
        "specs/team: error: $: cannot read directory: Permission denied; "
        "the specs in it would be missed"
    ]
