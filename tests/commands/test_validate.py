"""`tuneops validate` and `tuneops schema` as a user types them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import tuneops

REPO = Path(__file__).resolve().parents[2]
BAD_SPEC = """\
apiVersion: tuneops.dev/v1
kind: TuningJob
metadata:
  name: bot
spec:
  baseModel: gemini-3.5-flash
  trainingDataset: gs://acme/train.jsonl
  description: "50%, done:\\nreally"
  hyperParameters: {epochCount: 0}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "tuneops.yaml").write_text(
        "stack: cli\ndefaults: {project: acme-ml, location: us-central1}\n", encoding="utf-8"
    )
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bot.yaml").write_text(BAD_SPEC, encoding="utf-8")
    return tmp_path


def test_the_example_project_is_valid() -> None:
    run = tuneops(f"tuneops -C {REPO} validate")
    assert (run.code, run.out) == (0, "")
    assert run.err == "ok: 4 specs in 3 files, all valid\n"


def test_text_output_names_file_line_column_and_path(project: Path) -> None:
    run = tuneops(f"tuneops -C {project} validate")
    assert run.code == 1
    assert run.out == (
        "specs/bot.yaml:9:33: error: $.spec.hyperParameters.epochCount: "
        "0 is less than the minimum of 1\n"
    )
    assert run.err == "1 error in 1 file\n"


def test_json_output_is_the_same_result_as_data(project: Path) -> None:
    run = tuneops(f"tuneops -C {project} validate --format json")
    assert run.code == 1
    assert json.loads(run.out) == {
        "formatVersion": 1,
        "command": "validate",
        "valid": False,
        "files": ["specs/bot.yaml"],
        "specs": [],
        "diagnostics": [
            {
                "file": "specs/bot.yaml",
                "line": 9,
                "column": 33,
                "path": "$.spec.hyperParameters.epochCount",
                "severity": "error",
                "message": "0 is less than the minimum of 1",
            }
        ],
    }


def test_github_output_escapes_workflow_command_characters(project: Path) -> None:
    spec = project / "specs" / "bot.yaml"
    spec.write_text(BAD_SPEC.replace("{epochCount: 0}", '{"epoch%Count,\\n": 1}'), "utf-8")
    run = tuneops(f"tuneops -C {project} validate --format github")
    assert run.code == 1
    assert run.out == (
        "::error file=specs/bot.yaml,line=9,col=21,title=tuneops::"
        "$.spec.hyperParameters['epoch%25Count,%0A']: "
        "unknown field 'epoch%25Count,\\n'; did you mean 'epochCount'?\n"
    )


def test_explicit_paths_limit_validation_to_those_files(project: Path) -> None:
    (project / "specs" / "good.yaml").write_text(
        BAD_SPEC.replace("bot", "good").replace("epochCount: 0", "epochCount: 1"), "utf-8"
    )
    run = tuneops(f"tuneops -C {project} validate specs/good.yaml")
    assert (run.code, run.err) == (0, "ok: 1 spec in 1 file, all valid\n")


def test_a_missing_path_is_reported(project: Path) -> None:
    run = tuneops(f"tuneops -C {project} validate specs/nope.yaml")
    assert run.code == 1
    assert run.out == "specs/nope.yaml: error: $: no such file or directory\n"


def test_config_option_points_at_another_file(project: Path) -> None:
    (project / "tuneops.yaml").rename(project / "other.yaml")
    run = tuneops(f"tuneops -C {project} --config other.yaml validate specs/bot.yaml")
    assert run.code == 1
    assert run.out.startswith("specs/bot.yaml:9:33: error:")


def test_unknown_directory_is_a_usage_error(tmp_path: Path) -> None:
    run = tuneops(f"tuneops -C {tmp_path}/missing validate")
    assert run.code == 1
    assert run.err == f"error: -C {tmp_path}/missing: no such directory\n"


@pytest.mark.parametrize("which", ["spec", "config", "lockfile"])
def test_schema_prints_the_published_schema(which: str) -> None:
    run = tuneops(f"tuneops schema {which}")
    assert run.code == 0
    published = json.loads((REPO / "schemas" / f"{which}.schema.json").read_text("utf-8"))
    assert json.loads(run.out) == published


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tuneops", "-C", str(REPO), "validate", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    names = [spec["name"] for spec in json.loads(done.stdout)["specs"]]
    assert names == ["roman-numerals", "support-bot", "ticket-summarizer", "ticket-summarizer-lite"]


def test_the_configuration_given_as_a_path_is_checked_as_the_configuration() -> None:
    run = tuneops(f"tuneops -C {REPO} validate tuneops.yaml")
    assert (run.code, run.out) == (0, "")
    assert run.err == "ok: 0 specs in 0 files, all valid\n"


def test_yaml_outside_the_specs_directory_without_a_spec_is_skipped(project: Path) -> None:
    (project / "workflow.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    run = tuneops(f"tuneops -C {project} validate workflow.yml")
    assert (run.code, run.out) == (0, "")
    assert run.err == (
        "skipped 1 YAML file without a tuneops spec\nok: 0 specs in 0 files, all valid\n"
    )
