"""The composite action and the workflow templates: linted, and the action run for real.

actionlint checks the templates as users copy them, the templates again wired
to this checkout's action (so their inputs and outputs are checked against
action.yml), and the action's own steps lifted into a reusable workflow (so
its expressions and scripts are checked too; shellcheck joins in where it is
installed). Then the action's run steps execute against the emulator and the
fake GitHub API in the four states a pull request meets.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.commands.project import DATASET_LINE, Project, use_credentials, vertex_spec
from tests.github.composite import ActionRun, event_contexts, run_composite
from tests.github.conftest import EVENTS
from tests.github.fake_github import TOKEN, FakeGitHub
from tests.helpers import tuneops
from tuneops.emulator import EmulatorHandle

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
EXAMPLES = sorted((REPO / "examples" / "github").glob("*.yml"))
ACTIONLINT = Path(sys.executable).parent / "actionlint"
PUBLISHED = "tuneops/tuneops@v0.1.0"


def _actionlint(root: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    argv = [str(ACTIONLINT), "-no-color", *map(str, files)]
    return subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)


def _lint_root(tmp_path: Path) -> Path:
    """A git repository holding the action, where actionlint resolves `uses: ./`."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, tmp_path / "action.yml")
    return tmp_path / ".github" / "workflows"


def _as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    """The action's steps as a reusable workflow with the same inputs."""
    inputs = {
        name: {"type": "string", "required": False, "description": spec.get("description", "")}
        for name, spec in action["inputs"].items()
    }
    return {
        "name": "the tuneops action's steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }


def test_the_examples_and_the_action_pass_actionlint(tmp_path: Path) -> None:
    assert EXAMPLES and {p.name for p in EXAMPLES} == {"plan.yml", "apply.yml", "reconcile.yml"}
    as_copied = _actionlint(REPO, *EXAMPLES)
    assert (as_copied.returncode, as_copied.stdout) == (0, ""), as_copied.stdout

    workflows = _lint_root(tmp_path)
    for example in EXAMPLES:
        text = example.read_text(encoding="utf-8")
        assert PUBLISHED in text
        (workflows / example.name).write_text(text.replace(PUBLISHED, "./"), encoding="utf-8")
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    (workflows / "action-steps.yml").write_text(yaml.safe_dump(_as_workflow(action)), "utf-8")
    wired = _actionlint(tmp_path, *sorted(workflows.iterdir()))
    assert (wired.returncode, wired.stdout) == (0, ""), wired.stdout


def test_actionlint_would_catch_a_wrong_input(tmp_path: Path) -> None:
    workflows = _lint_root(tmp_path)
    text = EXAMPLES[0].read_text("utf-8").replace(PUBLISHED, "./").replace("command:", "comand:")
    (workflows / "broken.yml").write_text(text, encoding="utf-8")
    run = _actionlint(tmp_path, workflows / "broken.yml")
    assert run.returncode == 1
    assert 'input "comand" is not defined in action "tuneops" defined at "./"' in run.stdout


class ActionHarness:
    """A runner for the action: workspace, runner files, a venv with this tuneops."""

    def __init__(
        self, tmp_path: Path, project: Project, github: FakeGitHub, workspace: Path | None = None
    ) -> None:
        self.project = project
        self.workspace = workspace or project.root
        self.temp = tmp_path / "runner-temp"
        self.temp.mkdir()
        venv_bin = tmp_path / "venv" / "bin"
        venv_bin.mkdir(parents=True)
        (venv_bin / "tuneops").symlink_to(Path(sys.executable).parent / "tuneops")
        self.summary = tmp_path / "summary.md"
        self.env = {
            **os.environ,
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_PATH": str(tmp_path / "github_path"),
            "GITHUB_API_URL": github.url,
            "GITHUB_REPOSITORY": "acme/tuning",
            "GITHUB_EVENT_PATH": str(EVENTS / "pull_request.json"),
            "TUNEOPS_ACTION_VENV": str(tmp_path / "venv"),
            "NO_COLOR": "1",
        }
        self.github = event_contexts(EVENTS / "pull_request.json", "acme/tuning", REPO)
        self.github["token"] = TOKEN

    def run(self, **inputs: str) -> tuple[ActionRun, dict[str, dict[str, str]]]:
        return run_composite(ACTION, inputs, self.github, self.env, self.workspace, self.temp)


@pytest.fixture
def harness(
    tmp_path: Path,
    emulator: EmulatorHandle,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
) -> ActionHarness:
    use_credentials(monkeypatch)
    return ActionHarness(tmp_path, Project(tmp_path / "repo", emulator), github)


FINAL = "Fail the step as tuneops did"


def test_changes_are_commented_and_the_step_passes(
    harness: ActionHarness, github: FakeGitHub
) -> None:
    harness.project.write(vertex_spec("bot"))
    run, outputs = harness.run(command="plan")
    assert run.code == 0, run.log
    assert [s.name for s in run.steps][-1] == FINAL
    assert outputs["run"]["exit-code"] == "2"
    assert outputs["run"]["has-changes"] == "true"
    assert outputs["comment"]["exit-code"] == "0"
    [comment] = github.comments(42)
    assert "**Plan: 1 to create.**" in comment["body"]
    assert "### tuneops plan for <code>e2e</code>" in harness.summary.read_text("utf-8")


def test_no_changes_updates_the_same_comment(harness: ActionHarness, github: FakeGitHub) -> None:
    harness.project.write(vertex_spec("bot"))
    assert harness.run(command="plan")[0].code == 0
    assert harness.project.run("tuneops apply --auto-approve").code == 0
    run, outputs = harness.run(command="plan")
    assert run.code == 0, run.log
    assert outputs["run"]["exit-code"] == "0"
    assert outputs["run"]["has-changes"] == "false"
    [comment] = github.comments(42)
    assert "**No changes. The remote jobs match the specs.**" in comment["body"]


def test_a_blocked_plan_is_commented_then_fails_the_step_with_3(
    harness: ActionHarness, github: FakeGitHub
) -> None:
    harness.project.write(*(vertex_spec(f"bot-{n}") for n in range(3)))
    run, outputs = harness.run(command="plan", args="--max-create 2")
    assert run.code == 3, run.log
    assert [s.name for s in run.steps][-2:] == ["Comment the plan on the pull request", FINAL]
    assert outputs["comment"]["exit-code"] == "0"  # the comment was posted before the failure
    [comment] = github.comments(42)
    assert "⛔ **Blocked by guards** (3 actions):" in comment["body"]
    assert "::error title=tuneops::guards block the plan" in run.steps[-1].stdout
    assert harness.project.creates() == 0


def test_a_usage_error_fails_the_step_with_1_and_comments_nothing(
    harness: ActionHarness, github: FakeGitHub
) -> None:
    harness.project.write(vertex_spec("bot"))
    run, outputs = harness.run(command="plan", args="--no-such-flag")
    assert run.code == 1, run.log
    assert outputs["run"]["exit-code"] == "1"
    assert "unrecognized arguments: --no-such-flag" in run.steps[1].stderr
    assert github.comments(42) == []
    assert "tuneops plan failed (exit 1)" in run.steps[-1].stdout


def test_a_fork_pull_request_gets_the_summary_and_no_comment(
    harness: ActionHarness, github: FakeGitHub
) -> None:
    harness.github = event_contexts(EVENTS / "pull_request_fork.json", "acme/tuning", REPO)
    harness.env["GITHUB_EVENT_PATH"] = str(EVENTS / "pull_request_fork.json")
    harness.project.write(vertex_spec("bot"))
    run, _ = harness.run(command="plan", args="--offline")
    assert run.code == 0, run.log
    assert "::notice title=tuneops::a pull request from a fork" in run.steps[2].stdout
    assert github.comments(42) == []
    assert "Offline plan" in harness.summary.read_text("utf-8")


def test_actionlint_would_catch_a_wrong_expression_in_the_action(tmp_path: Path) -> None:
    workflows = _lint_root(tmp_path)
    broken = ACTION.read_text("utf-8").replace("inputs.verify-reviewed", "inputs.verify-reviwed")
    action = yaml.safe_load(broken)
    (workflows / "action-steps.yml").write_text(yaml.safe_dump(_as_workflow(action)), "utf-8")
    run = _actionlint(tmp_path, workflows / "action-steps.yml")
    assert run.returncode == 1
    assert 'property "verify-reviwed" is not defined' in run.stdout


def test_the_readme_ci_section_is_the_example_files() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for example in EXAMPLES:
        assert f"```yaml\n{example.read_text(encoding='utf-8')}```" in readme, example.name


MERGE_SHA = "e5bd3914e2e596debea16f433f57875b5b90bcd6"


def _merge(harness: ActionHarness, github: FakeGitHub) -> None:
    """Pull request 42 is merged as MERGE_SHA; the next run is the push to main."""
    head = harness.github["event"]["pull_request"]["head"]["sha"]
    github.state.pulls_of_commit[MERGE_SHA] = [
        {
            "number": 42,
            "merged_at": "2026-12-01T17:00:00Z",
            "merge_commit_sha": MERGE_SHA,
            "base": {"ref": "main"},
            "head": {"sha": head},
        }
    ]
    harness.github = {**harness.github, "event_name": "push", "event": {}}
    harness.env["GITHUB_EVENT_PATH"] = ""
    harness.env["GITHUB_SHA"] = MERGE_SHA
    harness.env["GITHUB_REF_NAME"] = "main"


def test_merge_applies_exactly_what_the_pull_request_showed(
    harness: ActionHarness, github: FakeGitHub
) -> None:
    harness.project.write(vertex_spec("bot"))
    assert harness.run(command="plan")[0].code == 0
    _merge(harness, github)
    run, _ = harness.run(command="apply")
    assert run.code == 0, run.log
    assert "the plan matches the plan reviewed on pull request #42" in run.steps[1].stderr
    assert harness.project.creates() == 1
    assert "pending" in harness.project.lock()["bot"]
    assert len(github.comments(42)) == 1


def test_merge_stops_when_the_plan_moved_since_review(
    harness: ActionHarness, github: FakeGitHub
) -> None:
    harness.project.write(vertex_spec("bot"))
    assert harness.run(command="plan")[0].code == 0
    harness.project.write(vertex_spec("bot", epochs=9))  # what merged is not what was shown
    _merge(harness, github)
    run, outputs = harness.run(command="apply")
    assert run.code == 1, run.log
    assert outputs["run"]["exit-code"] == "1"
    assert harness.project.creates() == 0
    assert not (harness.project.root / "tuneops.lock").exists()
    sticky, notice = github.comments(42)
    assert sticky["body"].startswith("<!-- tuneops-plan stack=e2e -->")
    assert notice["body"].startswith("### ⛔ tuneops did not apply <code>e2e</code>")
    assert "+ create bot" in notice["body"] and "- create bot" in notice["body"]


def test_validate_in_a_subdirectory_annotates_files_from_the_repository_root(
    tmp_path: Path,
    emulator: EmulatorHandle,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_credentials(monkeypatch)
    project = Project(tmp_path / "repo" / "ml", emulator)
    harness = ActionHarness(tmp_path, project, github, workspace=tmp_path / "repo")
    (project.root / "specs" / "bad.yaml").write_text(
        "apiVersion: tuneops.dev/v1\nkind: TuningJob\nmetadata: {name: Bad}\nspec: {}\n", "utf-8"
    )
    run, outputs = harness.run(command="validate", **{"working-directory": "ml"})
    assert run.code == 1, run.log
    assert outputs["run"]["exit-code"] == "1"
    assert run.steps[1].stdout.startswith("::error file=ml/specs/bad.yaml,line=3,col=18,")
    assert "| <code>ml/specs/bad.yaml</code> | 3 |" in harness.summary.read_text("utf-8")


def test_a_fork_pull_request_planned_offline_applies_its_new_gs_dataset_on_merge(
    harness: ActionHarness, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fork = EVENTS / "pull_request_fork.json"
    harness.github = {**event_contexts(fork, "acme/tuning", REPO), "token": TOKEN}
    harness.env["GITHUB_EVENT_PATH"] = str(fork)
    harness.project.write(vertex_spec("bot"))  # a new spec on a gs:// dataset
    run, outputs = harness.run(command="plan", args="--offline")
    assert run.code == 0, run.log
    # The fork's token cannot comment: a workflow of the base repository (with a
    # write token) posts the plan the fork's run uploaded.
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(fork))
    uploaded = shutil.copy(outputs["run"]["plan-file"], tmp_path / "fork-plan.json")
    assert tuneops(f"tuneops github comment {uploaded}").code == 0
    [comment] = github.comments(42)
    assert "Planned offline at commit" in comment["body"]
    _merge(harness, github)
    run, outputs = harness.run(command="apply")
    assert run.code == 0, run.log
    assert (
        "reviewed on pull request #42 (an offline plan: the specs as written" in run.steps[1].stderr
    )
    assert harness.project.creates() == 1
    pins = harness.project.lock()["bot"]["pending"]["spec"]["datasetPins"]
    assert pins["trainingDataset"]["exampleCount"] == 1  # pinned online, on merge
    assert len(github.comments(42)) == 1


def test_merge_stops_when_a_reviewed_gs_dataset_was_overwritten(
    harness: ActionHarness, github: FakeGitHub
) -> None:
    harness.project.write(vertex_spec("bot"))
    assert harness.run(command="plan")[0].code == 0  # online: the review saw generation 1
    harness.project.put_object("gs://acme/bot.jsonl", DATASET_LINE * 2)
    _merge(harness, github)
    run, outputs = harness.run(command="apply")
    assert run.code == 1, run.log
    assert outputs["run"]["exit-code"] == "1"
    assert harness.project.creates() == 0
    assert not (harness.project.root / "tuneops.lock").exists()
    [_, notice] = github.comments(42)
    assert notice["body"].startswith("### ⛔ tuneops did not apply <code>e2e</code>")
    assert "+ create bot" in notice["body"] and "- create bot" in notice["body"]
