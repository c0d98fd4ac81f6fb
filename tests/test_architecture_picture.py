"""docs/architecture.md draws the tree in one picture: every package is on it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tuneops"


def picture() -> str:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## The tree in one picture", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def packages() -> list[str]:
    """Every package under tuneops/, as the picture names it (`staging/`)."""
    return sorted(
        path.parent.name + "/"
        for path in PACKAGE.rglob("__init__.py")
        if path.parent != PACKAGE and "__pycache__" not in path.parts
    )


def test_every_package_has_a_line_in_the_picture() -> None:
    drawn = set(re.findall(r"([a-z_]+/)", picture()))
    missing = [name for name in packages() if name not in drawn]
    assert not missing, f"docs/architecture.md's picture lacks {missing}"


def test_every_top_level_module_is_in_the_picture() -> None:
    drawn = set(re.findall(r"([a-z_]+\.py)", picture()))
    modules = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    missing = [name for name in modules if name not in drawn]
    assert not missing, f"docs/architecture.md's picture lacks {missing}"
