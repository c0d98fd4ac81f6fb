"""Golden dataset corpus: every file under tests/data/datasets, checked by `tuneops validate`.

`invalid/NAME.jsonl` is used as the training data of a Vertex spec in a fresh
project; `invalid/NAME.expected` holds exactly what `tuneops validate` prints.
Files named `validation-*.jsonl` are used as validation data instead. Run with
TUNEOPS_UPDATE_GOLDEN=1 to (re)write the expected files, then read them.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import tuneops

DATA = Path(__file__).resolve().parents[1] / "data" / "datasets"
INVALID = sorted((DATA / "invalid").glob("*.jsonl"))
VALID = sorted((DATA / "valid").glob("*.jsonl"))
GOOD_LINE = (
    '{"contents": [{"role": "user", "parts": [{"text": "2+2?"}]}, '
    '{"role": "model", "parts": [{"text": "4"}]}]}\n'
)


def _project(tmp_path: Path, dataset: Path) -> Path:
    """A project whose one Vertex spec uses a copy of `dataset`."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "tuneops.yaml").write_text(
        "stack: corpus\ndefaults: {project: acme-ml, location: us-central1}\n"
        "vertex: {stagingBucket: gs://corpus-staging}\n",
        encoding="utf-8",
    )
    (tmp_path / "data").mkdir()
    shutil.copy(dataset, tmp_path / "data" / dataset.name)
    if dataset.name.startswith("validation-"):
        (tmp_path / "data" / "train.jsonl").write_text(GOOD_LINE, encoding="utf-8")
        datasets = (
            "trainingData: {file: ../data/train.jsonl}\n"
            f"  validationData: {{file: ../data/{dataset.name}}}"
        )
    else:
        datasets = f"trainingData: {{file: ../data/{dataset.name}}}"
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "job.yaml").write_text(
        "apiVersion: tuneops.dev/v1\nkind: TuningJob\nmetadata: {name: job}\nspec:\n"
        f"  baseModel: gemini-3.5-flash\n  {datasets}\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_dataset_reports_exactly_the_expected_lines(case: Path, tmp_path: Path) -> None:
    run = tuneops(f"tuneops -C {_project(tmp_path, case)} validate")
    expected = case.with_suffix(".expected")
    if os.environ.get("TUNEOPS_UPDATE_GOLDEN"):
        expected.write_text(run.out, encoding="utf-8")
    assert run.code == 1
    assert run.out == expected.read_text(encoding="utf-8")
    assert "Traceback" not in run.err


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_dataset_passes(case: Path, tmp_path: Path) -> None:
    run = tuneops(f"tuneops -C {_project(tmp_path, case)} validate")
    assert (run.code, run.out, run.err) == (0, "", "ok: 1 spec in 1 file, all valid\n")


def test_every_invalid_dataset_has_an_expected_file() -> None:
    assert INVALID
    assert [c.name for c in INVALID if not c.with_suffix(".expected").is_file()] == []


def test_dataset_errors_in_json_and_github_formats(tmp_path: Path) -> None:
    bad = tmp_path / "src.jsonl"
    bad.write_text(GOOD_LINE + '{"contents": [{"role": "bot", "parts": [{"text": "x"}]}]}\n')
    project = _project(tmp_path / "p", bad)
    run = tuneops(f"tuneops -C {project} validate --format json")
    assert run.code == 1
    assert json.loads(run.out)["diagnostics"] == [
        {
            "file": "data/src.jsonl",
            "line": 2,
            "column": 1,
            "path": "$.contents[0].role",
            "severity": "error",
            "message": "role is 'bot'; it must be 'user' or 'model'",
        }
    ]
    run = tuneops(f"tuneops -C {project} validate --format github")
    assert run.out == (
        "::error file=data/src.jsonl,line=2,col=1,title=tuneops::"
        "$.contents[0].role: role is 'bot'; it must be 'user' or 'model'\n"
    )
    assert run.err == "1 error in 1 file\n"


def test_editing_the_dataset_changes_the_spec_hash_and_moving_it_does_not(
    tmp_path: Path,
) -> None:
    source = tmp_path / "train.jsonl"
    source.write_text(GOOD_LINE, encoding="utf-8")
    project = _project(tmp_path / "p", source)

    def spec_hash() -> str:
        run = tuneops(f"tuneops -C {project} validate --format json")
        assert run.code == 0, run.out
        return str(json.loads(run.out)["specs"][0]["specHash"])

    before = spec_hash()
    (project / "data" / "train.jsonl").rename(project / "data" / "moved.jsonl")
    spec = project / "specs" / "job.yaml"
    spec.write_text(spec.read_text().replace("train.jsonl", "moved.jsonl"))
    assert spec_hash() == before
    with (project / "data" / "moved.jsonl").open("a") as out:
        out.write(GOOD_LINE)
    assert spec_hash() != before


def test_a_dataset_outside_the_project_or_missing_is_an_error(tmp_path: Path) -> None:
    source = tmp_path / "train.jsonl"
    source.write_text(GOOD_LINE, encoding="utf-8")
    project = _project(tmp_path / "p", source)
    spec = project / "specs" / "job.yaml"
    text = spec.read_text()
    spec.write_text(text.replace("../data/train.jsonl", "../../train.jsonl"))
    run = tuneops(f"tuneops -C {project} validate")
    assert run.out == (
        "specs/job.yaml:6:24: error: $.spec.trainingData.file: "
        "'../../train.jsonl' is outside the project directory\n"
    )
    spec.write_text(text.replace("../data/train.jsonl", "../data/nope.jsonl"))
    run = tuneops(f"tuneops -C {project} validate")
    assert run.out == (
        "specs/job.yaml:6:24: error: $.spec.trainingData.file: "
        "training data file '../data/nope.jsonl' does not exist\n"
    )


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_a_dataset_given_directly_reports_the_same_lines(case: Path, tmp_path: Path) -> None:
    """As the pre-commit hook runs it: the JSONL file named on the command line."""
    project = _project(tmp_path, case)
    run = tuneops(f"tuneops -C {project} validate data/{case.name}")
    assert run.code == 1
    assert run.out == case.with_suffix(".expected").read_text(encoding="utf-8")


def test_a_large_vertex_dataset_given_directly_is_not_held_to_the_gemini_size(
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text(GOOD_LINE * 60_000, encoding="utf-8")  # about 6 MB, over 4 MiB
    project = _project(tmp_path / "p", big)
    run = tuneops(f"tuneops -C {project} validate data/big.jsonl")
    assert (run.code, run.out) == (0, "")
