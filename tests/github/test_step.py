"""Step outputs and summaries are written only on a runner, in the runner's formats."""

from __future__ import annotations

from pathlib import Path

from tests.github.composite import read_outputs
from tuneops.github.step import format_outputs, publish


def test_outputs_use_the_heredoc_form_for_line_breaks() -> None:
    text = format_outputs({"a": True, "b": 3, "c": "one\ntwo"})
    assert text.startswith("a=true\nb=3\nc<<tuneops_")
    lines = text.splitlines()
    assert lines[3:5] == ["one", "two"]
    assert lines[-1] == lines[2].split("<<", 1)[1]  # the block ends with its delimiter


def test_publish_appends_on_a_runner_and_does_nothing_elsewhere(tmp_path: Path) -> None:
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    publish("### report", {"x": "1"}, env)
    assert not summary.exists() and not output.exists()
    publish("### report", {"x": "1", "y": "a\nb"}, {**env, "GITHUB_ACTIONS": "true"})
    publish("### again", {"x": "2"}, {**env, "GITHUB_ACTIONS": "true"})
    assert summary.read_text("utf-8") == "### report\n\n### again\n\n"
    assert read_outputs(output) == {"x": "2", "y": "a\nb"}
