"""Table-driven corpus of bad preference and function-calling lines.

Each table under tests/data/datasets/lines/ lists cases, each one line of a JSONL
file with exactly the diagnostics it must get. The test writes all the cases of
a table into one file, in order, and scans it: every bad line is reported (not
only the first), each at its own line number, with its JSON path and message.
Adding a regression test means adding a case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import tuneops
from tuneops.datasets.limits import limits_for
from tuneops.datasets.methods import TuningMethod
from tuneops.datasets.scanner import MAX_REPORTED, DatasetRole, scan_file

LINES = Path(__file__).resolve().parents[1] / "data" / "datasets" / "lines"
VALID = LINES.parent / "valid"
TABLES = {
    "preference.yaml": TuningMethod.PREFERENCE,
    "function-calling.yaml": TuningMethod.SUPERVISED,
}


def _cases(table: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load((LINES / table).read_text(encoding="utf-8"))
    return cases


def _text(case: dict[str, Any]) -> str:
    if "raw" in case:
        return str(case["raw"])
    return json.dumps(case["line"], ensure_ascii=False)


def _scan_table(table: str, tmp_path: Path) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    cases = _cases(table)
    dataset = tmp_path / "train.jsonl"
    dataset.write_text("".join(_text(case) + "\n" for case in cases), encoding="utf-8")
    scan = scan_file(
        dataset,
        "train.jsonl",
        DatasetRole.TRAINING,
        limits_for("gemini-2.5-flash"),
        method=TABLES[table],
    )
    found = []
    for diagnostic in scan.diagnostics:
        location = diagnostic.location
        assert location.file == "train.jsonl"
        if not diagnostic.message.startswith("invalid JSON"):
            assert location.column == 1, diagnostic.line()
        found.append((location.line, f"{location.json_path}: {diagnostic.message}"))
    return cases, found


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_bad_line_gets_exactly_its_diagnostics(table: str, tmp_path: Path) -> None:
    cases, found = _scan_table(table, tmp_path)
    expected = [
        (number, error) for number, case in enumerate(cases, start=1) for error in case["errors"]
    ]
    # Per line, in the order the checker finds them; compared as a whole so a
    # missing or extra diagnostic names its line.
    assert found == expected


@pytest.mark.parametrize("table", sorted(TABLES))
def test_each_case_is_bad_and_named(table: str) -> None:
    cases = _cases(table)
    assert len(cases) < MAX_REPORTED  # else the cap would hide the later cases
    names = [case["name"] for case in cases]
    assert len(set(names)) == len(names)
    assert all(case["errors"] for case in cases)
    assert all(("line" in case) != ("raw" in case) for case in cases)


def test_the_corpus_holds_at_least_thirty_cases() -> None:
    assert sum(len(_cases(table)) for table in TABLES) >= 30


@pytest.mark.parametrize(
    ("dataset", "method"),
    [
        (LINES / "valid-preference.jsonl", TuningMethod.PREFERENCE),
        (VALID / "function-calling.jsonl", TuningMethod.SUPERVISED),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else value.value,
)
def test_valid_lines_pass_and_are_counted(dataset: Path, method: TuningMethod) -> None:
    scan = scan_file(
        dataset, dataset.name, DatasetRole.TRAINING, limits_for("gemini-2.5-flash"), method=method
    )
    assert scan.diagnostics == ()
    lines = [line for line in dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert scan.summary.examples == len(lines)
    assert scan.summary.estimated_tokens > 0


def test_a_preference_file_is_not_a_supervised_file_and_back(tmp_path: Path) -> None:
    """The method picks the format: each file is wrong as the other kind."""
    limits = limits_for("gemini-2.5-flash")
    preference = LINES / "valid-preference.jsonl"
    as_supervised = scan_file(preference, "p.jsonl", DatasetRole.TRAINING, limits)
    assert [d.line() for d in as_supervised.diagnostics][:1] == [
        "p.jsonl:1:1: error: $.contents[0].role: the last turn must be the model's answer, "
        "not 'user'"
    ]
    supervised = VALID / "multi-turn.jsonl"
    as_preference = scan_file(
        supervised, "s.jsonl", DatasetRole.TRAINING, limits, method=TuningMethod.PREFERENCE
    )
    assert [d.line() for d in as_preference.diagnostics][-1] == (
        "s.jsonl:2:1: error: $: missing required field 'completions'"
    )


def _doc_examples() -> list[str]:
    """The JSON example lines of docs/datasets.md, each joined onto one line."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "datasets.md").read_text()
    blocks = text.split("```json\n")[1:]
    return [json.dumps(json.loads(block.split("```", 1)[0])) for block in blocks]


def test_the_documented_example_lines_are_valid(tmp_path: Path) -> None:
    examples = _doc_examples()
    preference = [line for line in examples if '"completions"' in line]
    supervised = [line for line in examples if '"completions"' not in line]
    assert len(preference) == 1
    assert any('"functionCall"' in line for line in supervised)
    for lines, method in (
        (supervised, TuningMethod.SUPERVISED),
        (preference, TuningMethod.PREFERENCE),
    ):
        dataset = tmp_path / f"{method.value}.jsonl"
        dataset.write_text("\n".join(lines) + "\n", encoding="utf-8")
        limits = limits_for("gemini-2.5-flash")
        scan = scan_file(dataset, dataset.name, DatasetRole.TRAINING, limits, method=method)
        assert scan.diagnostics == ()
        assert scan.summary.examples == len(lines)


def test_a_preference_file_given_directly_is_checked_as_preference_data(tmp_path: Path) -> None:
    """As the pre-commit hook runs it: no spec names the method, the scored pairs do."""
    (tmp_path / "tuneops.yaml").write_text("stack: corpus\n", encoding="utf-8")
    good = (LINES / "valid-preference.jsonl").read_text(encoding="utf-8")
    (tmp_path / "prefs.jsonl").write_text(good, encoding="utf-8")
    run = tuneops(f"tuneops -C {tmp_path} validate prefs.jsonl")
    assert (run.code, run.out) == (0, "")
    both_preferred = good.splitlines()[0].replace('"score": 0', '"score": 1')
    (tmp_path / "prefs.jsonl").write_text(good + both_preferred + "\n", encoding="utf-8")
    run = tuneops(f"tuneops -C {tmp_path} validate prefs.jsonl")
    assert (run.code, run.out) == (
        1,
        "prefs.jsonl:5:1: error: $.completions: both completions are scored 1; "
        "one must be scored 1 and the other 0\n",
    )
