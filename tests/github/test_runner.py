"""Simulated GitHub Actions runs: step summary, step outputs and annotation paths.

The runner's files are real temporary files and GITHUB_WORKSPACE is a real git
repository holding the project in a subdirectory, as in a monorepo.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.commands.project import Project, use_credentials, vertex_spec
from tests.github.conftest import EVENTS
from tests.helpers import tuneops
from tuneops.emulator import EmulatorHandle
from tuneops.render.markdown import code


class Runner:
    """The files a runner names in the environment, read back after a step."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.summary = root / "step_summary.md"
        self.output = root / "github_output"
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(self.summary))
        monkeypatch.setenv("GITHUB_OUTPUT", str(self.output))
        monkeypatch.setenv("GITHUB_EVENT_PATH", str(EVENTS / "pull_request.json"))

    def outputs(self) -> dict[str, str]:
        text = self.output.read_text(encoding="utf-8") if self.output.exists() else ""
        self.output.unlink(missing_ok=True)
        return dict(line.split("=", 1) for line in text.splitlines())

    def summary_text(self) -> str:
        text = self.summary.read_text(encoding="utf-8") if self.summary.exists() else ""
        self.summary.unlink(missing_ok=True)
        return text


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with a tuneops project in `ml/`."""
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    return tmp_path / "repo"


@pytest.fixture
def runner(tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch) -> Runner:
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo))
    return Runner(tmp_path, monkeypatch)


@pytest.fixture
def project(
    repo: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, runner: Runner
) -> Project:
    use_credentials(monkeypatch)
    return Project(repo / "ml", emulator)


def test_plan_writes_a_summary_and_the_outputs(project: Project, runner: Runner) -> None:
    project.write(vertex_spec("bot"), vertex_spec("summarizer"))
    run = project.run(f"tuneops plan --detailed-exitcode --out {project.root / 'plan.json'}")
    assert run.code == 2, run.err
    assert runner.outputs() == {
        "has-changes": "true",
        "destructive": "false",
        "blocked": "false",
        "plan-file": str(project.root / "plan.json"),
        "exit-code": "2",
    }
    summary = runner.summary_text()
    assert summary.startswith("### tuneops plan for <code>e2e</code>\n\n**Plan: 2 to create.**")
    assert f"Saved plan: {code(str(project.root / 'plan.json'))} (apply exactly" in summary

    assert project.run("tuneops apply --auto-approve").code == 0
    assert runner.outputs() == {
        "has-changes": "true",
        "destructive": "false",
        "blocked": "false",
        "applied": "2",
        "failed": "0",
        "exit-code": "0",
    }
    assert "✅ 2 done. Lockfile: <code>tuneops.lock</code>." in runner.summary_text()

    project.remove("bot")
    project.remove("summarizer")
    blocked = project.run("tuneops plan")
    assert blocked.code == 3
    assert runner.outputs() == {
        "has-changes": "true",
        "destructive": "true",
        "blocked": "true",
        "exit-code": "3",
    }
    summary = runner.summary_text()
    assert "⚠️ **Destructive**: 2 actions stop jobs: <code>bot</code>, <code>summarizer</code>" in (
        summary
    )
    assert "⛔ **Blocked by guards** (2 actions):" in summary


def test_reconcile_reports_drift_and_waiting_changes(project: Project, runner: Runner) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    runner.outputs()
    runner.summary_text()
    project.write(vertex_spec("bot", epochs=4))
    run = project.run("tuneops reconcile --write-lock --detailed-exitcode")
    assert run.code == 0, run.err
    assert runner.outputs() == {  # the replace cancels the revision still in flight
        "has-changes": "true",
        "destructive": "true",
        "blocked": "false",
        "drift": "false",
        "drift-count": "0",
        "exit-code": "0",
    }
    assert runner.summary_text().startswith(
        "### tuneops reconcile for <code>e2e</code>\n\n✅ No drift.\n\n**Plan: 1 to replace.**"
    )


def test_a_failing_command_still_reports_its_exit_code(project: Project, runner: Runner) -> None:
    (project.root / "specs" / "bad.yaml").write_text("kind: TuningJob\nspec: 1\n", "utf-8")
    assert project.run("tuneops plan").code == 1
    assert runner.outputs() == {"exit-code": "1"}
    assert runner.summary_text() == "❌ `tuneops plan` failed (exit 1); the job log says why.\n\n"


BAD = "apiVersion: tuneops.dev/v1\nkind: TuningJob\nmetadata: {name: Bad}\nspec: {}\n"


@pytest.mark.parametrize(
    "command",
    [
        "tuneops -C {repo}/ml validate --format github",
        "tuneops --config {repo}/ml/tuneops.yaml validate --format github",
        "tuneops -C {repo}/ml validate --format github specs/bad.yaml",
    ],
)
def test_annotations_point_at_the_file_from_the_repository_root(
    project: Project,
    runner: Runner,
    repo: Path,
    command: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    (project.root / "specs" / "bad.yaml").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = tuneops(command.format(repo=repo))
    assert run.code == 1
    assert run.out.splitlines()[0].startswith(
        "::error file=ml/specs/bad.yaml,line=3,col=18,title=tuneops::$.metadata.name: "
    )
    assert runner.outputs() == {
        "has-changes": "false",
        "destructive": "false",
        "blocked": "false",
        "errors": str(len(run.out.splitlines())),
        "exit-code": "1",
    }
    assert "| <code>ml/specs/bad.yaml</code> | 3 |" in runner.summary_text()


def test_without_github_workspace_the_git_top_level_is_the_root(
    project: Project, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE")
    (project.root / "specs" / "bad.yaml").write_text(BAD, encoding="utf-8")
    run = tuneops(f"tuneops -C {project.root} validate --format github")
    assert run.out.startswith("::error file=ml/specs/bad.yaml,line=3,col=18,")


def test_off_a_runner_nothing_is_written(
    project: Project, runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS")
    project.write(vertex_spec("bot"))
    assert project.run("tuneops plan").code == 0
    assert not runner.output.exists() and not runner.summary.exists()


def test_reconcile_drift_is_an_output_and_a_table(project: Project, runner: Runner) -> None:
    import requests

    from tests.commands.project import TOKEN

    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    job = project.lock()["bot"]["pending"]["job"]
    url = f"{project.emulator.url}/v1/{job}:cancel"
    requests.post(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).raise_for_status()
    project.emulator.advance(5)
    runner.outputs()
    runner.summary_text()
    assert project.run("tuneops reconcile --detailed-exitcode").code == 2
    outputs = runner.outputs()
    assert (outputs["drift"], outputs["drift-count"], outputs["exit-code"]) == ("true", "1", "2")
    summary = runner.summary_text()
    assert "⚠️ **Drift**: 1 spec changed outside tuneops" in summary
    assert "| <code>bot</code> | cancelled outside tuneops | job " in summary


def test_a_revision_held_back_by_its_gate_is_counted_apart_not_as_failed(
    project: Project, runner: Runner
) -> None:
    gated = vertex_spec("bot", epochs=2)
    gated["spec"] |= {
        "validationDataset": "gs://acme/bot-val.jsonl",
        "evaluation": {"metrics": ["bleu"], "outputUri": "gs://acme/eval/"},
        "promote": {"conditions": [{"metric": "bleu", "atLeast": 0.4}]},
    }
    project.write(gated, vertex_spec("summarizer"))
    assert project.run("tuneops apply --auto-approve").code == 0
    for name, bleu in (("bot", 0.3), ("summarizer", None)):
        job = str(project.lock()[name]["pending"]["job"])
        project.emulator.force(job, "succeed")
        if bleu is not None:
            project.emulator.set_scores(job, {"*": {"bleu": bleu}})
    runner.outputs()
    runner.summary_text()

    run = project.run("tuneops apply --auto-approve")
    assert run.code == 3, run.out + run.err
    assert runner.outputs() == {
        "has-changes": "true",
        "destructive": "false",
        "blocked": "false",
        "applied": "1",
        "failed": "0",
        "held-back": "1",
        "exit-code": "3",
    }
    summary = runner.summary_text()
    assert (
        "⚠️ 1 done, 1 held back by a promotion gate: <code>bot</code>. The active revisions "
        "keep serving. Lockfile: <code>tuneops.lock</code>."
    ) in summary
    assert "failed" not in summary
