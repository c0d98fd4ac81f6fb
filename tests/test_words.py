"""Words live in the views: no module outside them formats user-facing sentences.

The rule is written in docs/architecture.md ("Where words live"), and this test
reads its table of exceptions from there, so the docs and the check cannot
drift apart. A *sentence* is a string literal, or the literal text of an
f-string, with two words side by side (`SENTENCE`). Outside `tuneops/render/`
one may stand only in a docstring, in a `raise` statement (an exception's
message, printed by the one error funnel), in a call on a logger (`log.*`) or
on `re` (a pattern), or in a package or module the table names, at most as
many times as it says.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tuneops.notes import NoteCode
from tuneops.render.wording import worded_codes

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tuneops"
SENTENCE = re.compile(r"[A-Za-z]{2,}[,;:]? [A-Za-z`'\"(]")
VIEWS = "render/"
_ROW = re.compile(r"^\| `([a-z_/.]+)` \| (\d+|all) \| .+ \|$")
_LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}


def allowances() -> dict[str, int | None]:
    """The table in docs/architecture.md: path under tuneops/ -> sentences allowed (None: all)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Where words live", 1)[1].split("\n## ", 1)[0]
    rows = [_ROW.match(line) for line in section.splitlines()]
    return {m.group(1): None if m.group(2) == "all" else int(m.group(2)) for m in rows if m}


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """Ids of the nodes where a sentence may stand: docstrings, raises, logs, patterns."""
    exempt: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                exempt.add(id(first.value))
        inside = isinstance(node, ast.Raise)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else ""
            inside |= name == "log" and node.func.attr in _LOG_METHODS
            inside |= name == "re"
        if inside:
            exempt.update(id(child) for child in ast.walk(node))
    return exempt


def sentences(source: str) -> list[tuple[int, str]]:
    """(line, text) of each sentence in `source` that the rule does not exempt."""
    tree = ast.parse(source)
    exempt = _exempt_nodes(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            exempt.update(id(child) for child in ast.walk(node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if SENTENCE.search(text):
            found.append((node.lineno, text))
    return sorted(found)


def _allowed(relative: str, table: dict[str, int | None]) -> int | None:
    """What the table allows a module: its own row, else its package's, else 0."""
    if relative in table:
        return table[relative]
    for path, count in table.items():
        if path.endswith("/") and relative.startswith(path):
            return count
    return 0


def test_no_module_outside_the_views_formats_sentences() -> None:
    table = allowances()
    assert table, "docs/architecture.md has no table under 'Where words live'"
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(VIEWS):
            continue
        allowed = _allowed(relative, table)
        found = sentences(path.read_text(encoding="utf-8"))
        if allowed is not None and len(found) != allowed:
            shown = "; ".join(f"{line}: {text[:60]!r}" for line, text in found)
            wrong.append(f"{relative}: {len(found)} sentences, the table says {allowed}: {shown}")
    assert wrong == [], "\n".join(wrong)


def test_every_row_of_the_table_names_a_module_or_package() -> None:
    for path in allowances():
        assert (PACKAGE / path).exists(), f"docs/architecture.md names tuneops/{path}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('x = f"{name} was cancelled by tuneops"\n', 1),
        ('def f(job):\n    return "the job failed"\n', 1),
        ('"""A module docstring is fine."""\n', 0),
        ('def f():\n    """Docstrings say why."""\n', 0),
        ('raise ValueError(f"the job {x} is gone")\n', 0),
        ('log.warning("%s holds other content than %s", a, b)\n', 0),
        ('KIND = "in-flight"\nKEY = "maxCancel"\n', 0),
        ('print("ok: " + "all valid")\n', 1),
    ],
)
def test_the_rule_finds_sentences_and_spares_the_exceptions(source: str, expected: int) -> None:
    assert len(sentences(source)) == expected


def test_every_note_code_has_words_and_a_line_in_the_docs() -> None:
    assert worded_codes() == frozenset(NoteCode)
    docs = (ROOT / "docs" / "output-formats.md").read_text(encoding="utf-8")
    missing = [code.value for code in NoteCode if f"| `{code.value}` |" not in docs]
    assert missing == [], "undocumented note codes in docs/output-formats.md"


def test_note_codes_are_kebab_case_and_distinct() -> None:
    values = [code.value for code in NoteCode]
    assert len(values) == len(set(values))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", value) for value in values)
