"""Fixtures for the GitHub side: a fake REST API and a simulated Actions runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.github.fake_github import TOKEN, FakeGitHub, fake_github
from tuneops.core.plan import Action, ActionKind, Change, Plan
from tuneops.notes import Note, NoteCode
from tuneops.render.plan import plan_json
from tuneops.specs.kinds import BackendKind

EVENTS = Path(__file__).resolve().parents[1] / "data" / "github"
HEAD_SHA = "8a1f6e0c2b9d4e7a3c5b1d9f0e2a4c6b8d0f1a3c"
RUNNER_VARIABLES = (
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
    "GITHUB_EVENT_PATH",
    "GITHUB_WORKSPACE",
    "GITHUB_REPOSITORY",
    "GITHUB_API_URL",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITHUB_SHA",
    "GITHUB_REF",
    "GITHUB_REF_NAME",
    "GITHUB_REF_TYPE",
    "GITHUB_SERVER_URL",
    "GITHUB_RUN_ID",
)


@pytest.fixture(autouse=True)
def _no_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start off a runner, whatever machine runs them (CI included)."""
    for name in RUNNER_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    """A fake GitHub API, and the environment of a pull_request run that talks to it."""
    with fake_github() as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/tuning")
        monkeypatch.setenv("GITHUB_EVENT_PATH", str(EVENTS / "pull_request.json"))
        yield fake


def a_plan(stack: str = "prod", epochs: int = 6, fingerprint: str = "f" * 64) -> Plan:
    """A small plan with a replace and a create, as `plan --out` saves it."""
    actions = [
        Action(
            ActionKind.REPLACE,
            "support-bot",
            BackendKind.VERTEX,
            Note.of(NoteCode.SPEC_CHANGED),
            spec_hash=f"{epochs:x}" * 64,
            job="projects/1/locations/us-central1/tuningJobs/11",
            changes=(Change("hyperParameters.epochCount", 5, epochs),),
        ),
        Action(
            ActionKind.CREATE,
            "summarizer",
            BackendKind.VERTEX,
            Note.of(NoteCode.NEW_SPEC),
            "b" * 64,
        ),
    ]
    return Plan(stack, fingerprint, tuple(actions), tuneops_version="0.1.0")


def save(plan: Plan, path: Path) -> Path:
    """Writes the plan where `tuneops plan --out` would."""
    path.write_text(plan_json(plan), encoding="utf-8")
    return path
