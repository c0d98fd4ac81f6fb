"""The `tuneops-validate` pre-commit hook, run as pre-commit runs it.

The hook's `entry` from .pre-commit-hooks.yaml is executed as a process in a
real git repository, on the files its `files` pattern selects, as one batch
(`require_serial`). `pre-commit try-repo` itself would build a fresh
environment from the package index, which the tests may not reach.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
[HOOK] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
SPEC = """\
apiVersion: tuneops.dev/v1
kind: TuningJob
metadata: {name: bot}
spec:
  backend: gemini
  baseModel: models/gemini-1.5-flash-001-tuning
  trainingData: {file: data/train.jsonl}
"""
WORKFLOW = "on: push\njobs:\n  ci: {runs-on: ubuntu-latest, steps: [{run: make}]}\n"
DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"


def _git(repo: Path, *argv: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *argv], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    files = {
        "tuneops.yaml": "stack: hook\ndefaults: {project: acme-ml, location: us-central1}\n",
        "specs/bot.yaml": SPEC,
        "specs/data/train.jsonl": json.dumps({"textInput": "1", "output": "2"}) + "\n",
        "data/vertex.jsonl": json.dumps(
            {
                "contents": [
                    {"role": "user", "parts": [{"text": "1"}]},
                    {"role": "model", "parts": [{"text": "2"}]},
                ]
            }
        )
        + "\n",
        ".github/workflows/ci.yml": WORKFLOW,
        "k8s/deploy.yaml": DEPLOYMENT,
        "docs/empty.yaml": "",
        "README.md": "# hello\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    _git(root.parent, "init", "-q", str(root))
    _git(root, "add", "-A")
    return root


def _run_hook(repo: Path) -> subprocess.CompletedProcess[str]:
    """Runs the hook on the staged files its pattern selects, from the repository root."""
    staged = _git(repo, "diff", "--cached", "--name-only").split()
    selected = [name for name in staged if re.search(HOOK["files"], name)]
    entry = shlex.split(HOOK["entry"])
    assert entry[0] == "tuneops"
    tuneops = str(Path(sys.executable).parent / "tuneops")
    argv = [tuneops, *entry[1:], *HOOK.get("args", []), *selected]
    return subprocess.run(argv, cwd=repo, capture_output=True, text=True, check=False)


def test_the_hook_is_declared_for_yaml_and_jsonl() -> None:
    assert HOOK["id"] == "tuneops-validate"
    assert HOOK["language"] == "python"
    assert all(re.search(HOOK["files"], f) for f in ("a.yaml", "b.yml", "c.jsonl"))
    assert not re.search(HOOK["files"], "README.md")


# A Gemini API spec aimed at the real service: valid, with the sunset warning.
SUNSET = "specs/bot.yaml:6:14: warning: $.spec.baseModel: the Gemini API no longer tunes any model"


def test_a_clean_commit_passes_and_unrelated_yaml_is_skipped(repo: Path) -> None:
    run = _run_hook(repo)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(SUNSET)
    assert len(run.stdout.splitlines()) == 1
    assert run.stderr == (
        "skipped 3 YAML files without a tuneops spec\nok: 1 spec in 1 file, all valid, 1 warning\n"
    )


def test_broken_training_data_config_and_spec_are_reported(repo: Path) -> None:
    (repo / "specs" / "data" / "train.jsonl").write_text('{"textInput": "1"}\n{oops\n', "utf-8")
    (repo / "tuneops.yaml").write_text("stack: Hook Stack\n", encoding="utf-8")
    (repo / "k8s" / "tuning.yaml").write_text(SPEC.replace("name: bot", "name: Bot"), "utf-8")
    _git(repo, "add", "-A")
    run = _run_hook(repo)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert lines[0].startswith("k8s/tuning.yaml:3:18: error: $.metadata.name: 'Bot' is not")
    assert lines[1].startswith(SUNSET)
    assert lines[2:] == [
        "specs/data/train.jsonl:1:1: error: $: missing required field 'output'",
        "specs/data/train.jsonl:2:2: error: $: invalid JSON: Expecting property name "
        "enclosed in double quotes",
        lines[4],
    ]
    assert lines[4].startswith("tuneops.yaml:1:8: error: $.stack: ")
    assert run.stderr.endswith("4 errors in 3 files, 1 warning\n")
