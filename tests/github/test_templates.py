"""The scripts inside the workflow templates, run with bash as the runner runs them.

The lockfile commit runs in a real clone of a real (bare) remote: unchanged,
changed, raced by another push, and refused. The drift issue step runs with a
stand-in `gh` on PATH that records its calls and answers from a state file.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "examples" / "github"


def _step(template: str, name: str) -> dict[str, Any]:
    workflow = yaml.safe_load((TEMPLATES / template).read_text(encoding="utf-8"))
    [job] = workflow["jobs"].values()
    [step] = [s for s in job["steps"] if s.get("name") == name]
    return step


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _git(cwd: Path, *argv: str) -> str:
    done = subprocess.run(["git", *argv], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of a bare remote whose main branch holds a lockfile."""
    remote, seed = tmp_path / "remote.git", tmp_path / "seed"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    _git(tmp_path, "clone", "-q", str(remote), str(seed))
    for key, value in (("user.name", "seed"), ("user.email", "seed@example.com")):
        _git(seed, "config", key, value)
    (seed / "tuneops.lock").write_text("specs: {}\n", encoding="utf-8")
    (seed / "README.md").write_text("hello\n", encoding="utf-8")
    _git(seed, "add", "-A")
    _git(seed, "commit", "-q", "-m", "seed")
    _git(seed, "push", "-q", "origin", "HEAD:main")
    work = tmp_path / "work"
    _git(tmp_path, "clone", "-q", str(remote), str(work))
    return work


ENV = {"GITHUB_SHA": "e5bd3914e2e596debea16f433f57875b5b90bcd6", "GITHUB_REF_NAME": "main"}


@pytest.mark.parametrize("template", ["apply.yml", "reconcile.yml"])
def test_an_unchanged_lockfile_is_not_committed(clone: Path, template: str) -> None:
    step = _step(template, "Commit the lockfile when it changed")
    assert step["if"] == "always()"
    done = _bash(step["run"], clone, ENV)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "the lockfile is unchanged\n"
    assert _git(clone, "rev-list", "--count", "origin/main") == "1"


@pytest.mark.parametrize("template", ["apply.yml", "reconcile.yml"])
def test_a_changed_lockfile_is_committed_as_the_bot_even_after_another_push(
    clone: Path, tmp_path: Path, template: str
) -> None:
    other = tmp_path / "other"
    _git(tmp_path, "clone", "-q", str(tmp_path / "remote.git"), str(other))
    (other / "README.md").write_text("changed meanwhile\n", encoding="utf-8")
    _git(other, "-c", "user.name=o", "-c", "user.email=o@e", "commit", "-qam", "meanwhile")
    _git(other, "push", "-q", "origin", "HEAD:main")
    (clone / "tuneops.lock").write_text("specs: {bot: {}}\n", encoding="utf-8")
    done = _bash(_step(template, "Commit the lockfile when it changed")["run"], clone, ENV)
    assert done.returncode == 0, done.stderr
    _git(clone, "fetch", "-q")
    log = _git(clone, "log", "--format=%an <%ae>|%s", "origin/main")
    assert log.splitlines()[0].startswith(
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|tuneops: "
    )
    assert _git(clone, "show", "origin/main:tuneops.lock") == "specs: {bot: {}}"
    assert _git(clone, "show", "origin/main:README.md") == "changed meanwhile"


def test_a_refused_push_fails_the_job(clone: Path, tmp_path: Path) -> None:
    hook = tmp_path / "remote.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    (clone / "tuneops.lock").write_text("specs: {bot: {}}\n", encoding="utf-8")
    done = _bash(_step("apply.yml", "Commit the lockfile when it changed")["run"], clone, ENV)
    assert done.returncode != 0
    assert "protected branch" in done.stderr


FAKE_GH = """#!/usr/bin/env python3
import json, sys
state_file = sys.argv[0] + ".json"
state = json.load(open(state_file))
state["calls"].append(sys.argv[1:])
if sys.argv[1:3] == ["issue", "list"]:
    print(state["open"] or "")
json.dump(state, open(state_file, "w"))
"""


@pytest.mark.parametrize(
    ("drift", "open_issue", "expected"),
    [
        ("true", None, [["label", "create"], ["issue", "create"]]),
        ("true", 7, [["issue", "edit", "7"]]),
        ("false", 7, [["issue", "close", "7"]]),
        ("false", None, []),
    ],
)
def test_the_drift_issue_is_opened_updated_and_closed(
    tmp_path: Path, drift: str, open_issue: int | None, expected: list[list[str]]
) -> None:
    step = _step("reconcile.yml", "Open, update or close the drift issue")
    assert "exit-code == '2'" in step["if"]
    gh = tmp_path / "bin" / "gh"
    gh.parent.mkdir()
    gh.write_text(FAKE_GH, encoding="utf-8")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    Path(str(gh) + ".json").write_text(json.dumps({"calls": [], "open": open_issue}), "utf-8")
    report = tmp_path / "report.md"
    report.write_text("### tuneops reconcile\n\n⚠️ **Drift**\n", encoding="utf-8")
    env = {
        "PATH": f"{gh.parent}:{os.environ['PATH']}",
        "DRIFT": drift,
        "REPORT": str(report),
        "RUN_URL": "https://github.example/acme/tuning/actions/runs/1",
    }
    done = _bash(step["run"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    calls = json.loads(Path(str(gh) + ".json").read_text("utf-8"))["calls"]
    assert calls[0][:2] == ["issue", "list"]
    assert [c[: len(e)] for c, e in zip(calls[1:], expected, strict=True)] == expected
    if drift == "true":
        body = (tmp_path / "drift.md").read_text("utf-8")
        assert body.startswith("### tuneops reconcile") and "Last checked by [this run]" in body
