"""Paths stay in the project: symlinks out, FIFOs and /proc files are refused, unread.

Each refusal is a positioned error that never shows the target's contents.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import tuneops

SECRET = "TOP-SECRET-outside-the-project"
SPEC = """\
apiVersion: tuneops.dev/v1
kind: TuningJob
metadata:
  name: bot
spec:
  baseModel: gemini-3.5-flash
  trainingDataset: gs://acme/train.jsonl
"""
OUTSIDE_REFUSAL = (
    "the file resolves outside the project directory (a symlink?); "
    "only files inside the project are read"
)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file beside the project, holding something that must never be shown."""
    path = tmp_path / "outside.yaml"
    path.write_text(f"apiVersion: {SECRET}\n", encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "specs").mkdir(parents=True)
    (root / "tuneops.yaml").write_text(
        "stack: cli\ndefaults: {project: acme-ml, location: us-central1}\n", encoding="utf-8"
    )
    (root / "specs" / "bot.yaml").write_text(SPEC, encoding="utf-8")
    return root


def validate(project: Path) -> tuple[int, str]:
    run = tuneops(f"tuneops -C {project} validate")
    return run.code, run.out + run.err


def test_a_spec_symlinked_out_of_the_project_is_refused_unread(
    project: Path, outside: Path
) -> None:
    (project / "specs" / "leak.yaml").symlink_to(outside)
    code, output = validate(project)
    assert code == 1
    assert f"specs/leak.yaml: error: $: {OUTSIDE_REFUSAL}" in output
    assert SECRET not in output


def test_a_spec_symlinked_to_a_proc_file_is_refused_without_hanging(project: Path) -> None:
    target = Path("/proc/kmsg") if Path("/proc/kmsg").exists() else Path("/proc/self/status")
    (project / "specs" / "kmsg.yaml").symlink_to(target)
    code, output = validate(project)
    assert code == 1
    assert f"specs/kmsg.yaml: error: $: {OUTSIDE_REFUSAL}" in output


def test_a_fifo_named_like_a_spec_is_refused_without_hanging(project: Path) -> None:
    os.mkfifo(project / "specs" / "pipe.yaml")
    code, output = validate(project)
    assert code == 1
    assert (
        "specs/pipe.yaml: error: $: not a regular file (a FIFO, device or directory); "
        "only regular files are read"
    ) in output


def test_a_symlink_inside_the_project_is_still_read(project: Path) -> None:
    (project / "specs" / "bot.yaml").rename(project / "real.yaml")
    (project / "specs" / "bot.yaml").symlink_to(project / "real.yaml")
    assert validate(project) == (0, "ok: 1 spec in 1 file, all valid\n")


@pytest.mark.parametrize(
    ("key", "value", "column"),
    [("specs", "../elsewhere", 8), ("lockfile", "../outside/x.lock", 11)],
)
def test_config_paths_outside_the_project_are_positioned_errors(
    project: Path, key: str, value: str, column: int
) -> None:
    (project.parent / "elsewhere").mkdir()
    config = project / "tuneops.yaml"
    config.write_text(config.read_text("utf-8") + f"{key}: {value}\n", encoding="utf-8")
    code, output = validate(project)
    assert code == 1
    assert (
        f"tuneops.yaml:3:{column}: error: $.{key}: {value!r} resolves outside the project "
        "directory; the specs and the lockfile must stay inside it (symlinks included)"
    ) in output


def test_a_specs_folder_symlinked_out_of_the_project_is_refused(
    project: Path, outside: Path
) -> None:
    (project / "specs").rename(project.parent / "moved")
    (project / "specs").symlink_to(project.parent / "moved")
    code, output = validate(project)
    assert code == 1
    assert "$.specs: 'specs' resolves outside the project directory" in output


def test_training_data_symlinked_out_of_the_project_is_refused_unread(
    project: Path, tmp_path: Path
) -> None:
    secret_data = tmp_path / "data.jsonl"
    secret_data.write_text(f'{{"textInput": "{SECRET}", "output": "x"}}\n', encoding="utf-8")
    (project / "specs" / "x.jsonl").symlink_to(secret_data)
    (project / "specs" / "bot.yaml").write_text(
        SPEC.replace("gemini-3.5-flash", "models/gemini-1.5-flash-001-tuning")
        .replace("  trainingDataset: gs://acme/train.jsonl\n", "  trainingData: {file: x.jsonl}\n")
        .replace("spec:\n", "spec:\n  backend: gemini\n"),
        encoding="utf-8",
    )
    code, output = validate(project)
    assert code == 1
    assert (
        "specs/bot.yaml:8:24: error: $.spec.trainingData.file: "
        "'x.jsonl' is outside the project directory" in output
    )
    assert SECRET not in output
