"""Gemini API-style inline examples on Vertex AI: the way off the Gemini API's sunset.

The examples are converted to Vertex AI's conversation JSONL, checked with
positions in the spec, staged content-addressed and trained on, end to end
against the emulator; the same examples stage once and hash alike.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import storage

from tests.commands.project import Project, local_vertex_spec, staging_project
from tuneops.emulator import EmulatorHandle

BUCKET = "acme-staging"
EXAMPLES = [{"textInput": "I", "output": "II"}, {"textInput": "II", "output": "III"}]


def inline_spec(name: str = "numerals", examples: Any = EXAMPLES) -> dict[str, Any]:
    return local_vertex_spec(
        name, baseModel="gemini-3.1-flash-lite", trainingData={"examples": examples}
    )


def conversation(prompt: str, answer: str) -> dict[str, Any]:
    return {
        "contents": [
            {"role": "user", "parts": [{"text": prompt}]},
            {"role": "model", "parts": [{"text": answer}]},
        ]
    }


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    return staging_project(tmp_path, emulator, monkeypatch, f"gs://{BUCKET}")


def test_inline_examples_train_on_vertex_as_staged_conversations(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(inline_spec())
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    (job,) = project.remote()
    staged = job["supervisedTuningSpec"]["trainingDatasetUri"]
    assert staged.startswith(f"gs://{BUCKET}/e2e/") and staged.endswith(".jsonl")
    # Google's own client reads back one conversation per example, named by its hash.
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    name = staged.removeprefix(f"gs://{BUCKET}/")
    content = storage.Client(project="acme-ml").bucket(BUCKET).blob(name).download_as_bytes()
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    assert [json.loads(line) for line in content.splitlines()] == [
        conversation("I", "II"),
        conversation("II", "III"),
    ]
    assert name == f"e2e/{hashlib.sha256(content).hexdigest()}.jsonl"
    emulator.advance(3600)
    assert project.run("tuneops apply --auto-approve").code == 0
    (job,) = project.remote()
    stats = job["tuningDataStats"]["supervisedTuningDataStats"]
    assert (job["state"], stats["tuningDatasetExampleCount"]) == ("JOB_STATE_SUCCEEDED", "2")
    assert project.run("tuneops plan --detailed-exitcode").code == 0


def test_the_same_examples_in_two_specs_stage_once(project: Project) -> None:
    project.write(inline_spec("first"), inline_spec("second"))
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    uris = {job["supervisedTuningSpec"]["trainingDatasetUri"] for job in project.remote()}
    assert len(uris) == 1


def test_a_problem_in_an_example_points_at_that_example(project: Project) -> None:
    # The schema keeps examples far below any model's token limit; a limit given in
    # tuneops.yaml (here absurdly low) is checked at the example that breaks it.
    limits = {"datasets": {"maxTokensPerExample": 2}}
    project.configure(
        catalogue={"models": [{"id": "gemini-3.1-flash-lite", "backends": {"vertex": limits}}]}
    )
    project.write(
        inline_spec(examples=[*EXAMPLES, {"textInput": "XXX", "output": "a long answer"}])
    )
    run = project.run("tuneops validate")
    assert run.code == 1
    (line,) = run.out.splitlines()
    assert line.startswith("specs/numerals.yaml:")
    assert ": error: $.spec.trainingData.examples[2]: " in line
    assert "gemini-3.1-flash-lite allows 2 per example" in line
