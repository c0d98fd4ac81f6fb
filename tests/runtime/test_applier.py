"""The applier over real HTTP against the emulator: deletes, races, stale actions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import requests

from tests.commands.project import API_KEY, Project, gemini_spec, use_credentials, vertex_spec
from tuneops.core.plan import ActionKind
from tuneops.emulator import EmulatorHandle
from tuneops.project.file import require_project
from tuneops.render.wording import word
from tuneops.runtime.applier import Applier
from tuneops.runtime.inputs import PlanFlags, compute_plan, gather, plan_options
from tuneops.runtime.session import RemoteSession


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def _model_exists(project: Project, model: str) -> bool:
    answer = requests.get(
        f"{project.emulator.url}/v1beta/{model}", headers={"x-goog-api-key": API_KEY}, timeout=10
    )
    return answer.status_code == 200


@pytest.mark.gemini_tuning_available
def test_a_removed_gemini_spec_deletes_its_model(project: Project) -> None:
    project.write(gemini_spec("chat"), vertex_spec("keep"))
    assert project.run("tuneops apply --auto-approve").code == 0
    model = project.lock()["chat"]["pending"]["job"]
    assert _model_exists(project, model)
    project.remove("chat")
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    assert f"  ✓ cancel   chat: cancelled {model}" in run.out
    assert "the gemini backend cannot cancel, so the model is deleted" in run.out
    assert not _model_exists(project, model)
    assert project.lock()["chat"]["pending"]["state"] == "cancelling"
    again = project.run("tuneops apply --auto-approve")
    assert "  ✓ forget   chat: forgotten" in again.out
    assert "chat" not in project.lock()


def test_a_racing_duplicate_is_cancelled_and_the_oldest_job_recorded(project: Project) -> None:
    project.write(vertex_spec("bot"))
    config = require_project(project.root / "tuneops.yaml")
    with RemoteSession(config) as session:
        inputs = gather(config, session)
        plan = compute_plan(inputs, plan_options(config, PlanFlags()))
        assert [a.kind for a in plan.actions] == [ActionKind.CREATE]
        # Another checkout's apply creates the same spec's job first.
        (spec,) = inputs.specs
        first = session.backend(spec.backend).create(spec, config.config.stack)
        outcomes = Applier.for_inputs(session, inputs).run(plan)
    created, cancelled = outcomes
    assert (created.action.kind, created.ok) == (ActionKind.CREATE, True)
    assert (cancelled.action.kind, cancelled.ok, cancelled.job) == (
        ActionKind.CANCEL,
        True,
        created.job,
    )
    live = [
        j["name"]
        for j in project.remote()
        if j["state"] in ("JOB_STATE_PENDING", "JOB_STATE_RUNNING")
    ]
    assert live == [first.name]
    assert project.lock()["bot"]["pending"]["job"] == first.name


def test_actions_of_a_stale_plan_fail_one_by_one_and_touch_nothing(project: Project) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    config = require_project(project.root / "tuneops.yaml")
    with RemoteSession(config) as session:
        inputs = gather(config, session)
        project.write(vertex_spec("bot", epochs=4))
        changed = gather(config, session)
        plan = compute_plan(changed, plan_options(config, PlanFlags()))
        (replace_bot,) = plan.actions
        gone = replace(
            replace_bot, kind=ActionKind.ADOPT, job="projects/x/locations/y/tuningJobs/9"
        )
        stale = replace(plan, actions=(replace_bot, gone))
        outcomes = Applier.for_inputs(session, inputs).run(stale)
    details = sorted((o.action.kind.value, o.ok, word(o.detail)) for o in outcomes)
    assert details == [
        ("adopt", False, "the spec 'bot' changed since the plan was made; plan again"),
        ("replace", False, "the spec 'bot' changed since the plan was made; plan again"),
    ]
    assert project.creates() == 1
