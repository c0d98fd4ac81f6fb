"""Guards, stale plans, offline plans, races and crashes: nothing is lost or doubled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tuneops.runtime.applier
from tests.commands.project import (
    API_KEY,
    TOKEN,
    Project,
    plan_json,
    use_credentials,
    vertex_spec,
)
from tuneops.core.plan import Action, ActionKind, Change, Plan
from tuneops.emulator import EmulatorHandle
from tuneops.notes import Note, NoteCode
from tuneops.render.plan import MARKDOWN_LIMIT, render_markdown
from tuneops.specs.kinds import BackendKind


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def test_max_create_blocks_with_exit_3_and_the_flag_raises_it(project: Project) -> None:
    project.configure(guards={"maxCreate": 1})
    project.write(vertex_spec("a"), vertex_spec("b"))
    blocked = project.run("tuneops apply --auto-approve")
    assert blocked.code == 3
    assert "! blocked: 2 new jobs exceed guards.maxCreate (1); pass --max-create 2" in blocked.out
    assert blocked.err == "error: guards block this plan; nothing was applied\n"
    assert project.creates() == 0
    assert project.run("tuneops plan").code == 3
    assert project.run("tuneops apply --auto-approve --max-create 2").code == 0
    assert project.creates() == 2


def test_max_cancel_and_empty_spec_set_guards(project: Project) -> None:
    project.write(vertex_spec("a"), vertex_spec("b"))
    project.run("tuneops apply --auto-approve")
    project.remove("a")
    project.remove("b")
    empty = plan_json(project)
    assert {a["blocked"] for a in empty["actions"]} == {
        "no specs were found but the stack has live jobs; pass --allow-empty to cancel them all"
    }
    capped = plan_json(project, "--allow-empty", "--max-cancel", "1")
    assert {a["blocked"] for a in capped["actions"]} == {
        "2 cancels exceed guards.maxCancel (1); pass --max-cancel 2 to allow them"
    }
    assert project.run("tuneops apply --auto-approve --allow-empty").code == 0


def test_protected_jobs_are_never_cancelled(project: Project) -> None:
    project.write(vertex_spec("precious", protect=True), vertex_spec("other"))
    project.run("tuneops apply --auto-approve")
    project.remove("precious")
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 3
    assert "the job is protected (protect: true)" in run.out
    job = project.lock()["precious"]["pending"]["job"]
    assert {j["name"]: j["state"] for j in project.remote()}[job] == "JOB_STATE_PENDING"


def test_a_stale_plan_file_is_refused_and_a_fresh_one_applies(project: Project) -> None:
    project.write(vertex_spec("bot"))
    saved = project.root / "bot.plan"
    assert project.run(f"tuneops plan --out {saved}").code == 0
    project.write(vertex_spec("bot", epochs=9))
    stale = project.run(f"tuneops apply {saved}")
    assert stale.code == 1
    assert stale.err == (
        f"error: the plan in {saved} is stale: the specs, the lockfile or the remote jobs "
        "changed since it was made; run `tuneops plan --out FILE` again\n"
    )
    assert project.creates() == 0
    assert project.run(f"tuneops plan --out {saved}").code == 0
    applied = project.run(f"tuneops apply {saved}")
    assert applied.code == 0, applied.err
    assert (
        project.lock()["bot"]["specHash"] == json.loads(saved.read_text())["actions"][0]["specHash"]
    )


def test_offline_plan_needs_no_credentials_and_says_so(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(vertex_spec("bot"))
    project.run("tuneops apply --auto-approve")
    project.write(vertex_spec("bot", epochs=7))
    monkeypatch.delenv("TUNEOPS_ACCESS_TOKEN")
    monkeypatch.delenv("GEMINI_API_KEY")
    project.emulator.clear_request_counts()
    run = project.run("tuneops plan --offline")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0] == (
        "Offline plan: computed from the lockfile, not from the remote services."
    )
    assert "± replace  bot" in run.out
    assert project.emulator.request_counts() == {}


def test_invalid_specs_stop_everything_before_any_remote_call(project: Project) -> None:
    project.write(vertex_spec("good"))
    (project.root / "specs" / "bad.yaml").write_text("apiVersion: tuneops.dev/v1\nkind: Nope\n")
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 1
    assert run.err.splitlines() == [
        "specs/bad.yaml:2:7: error: $.kind: unknown kind 'Nope'; expected TuningJob",
        "error: 1 error in the input files",
    ]
    assert project.emulator.request_counts() == {}


def test_a_failed_listing_stops_the_plan(project: Project) -> None:
    project.write(vertex_spec("bot"))
    project.emulator.add_fault(method="GET", path="tuningJobs", kind="status", status=403, count=1)
    run = project.run("tuneops plan")
    assert run.code == 1
    assert run.out == ""
    assert "403" in run.err and "PERMISSION_DENIED" in run.err


def test_an_apply_killed_before_its_lockfile_write_leaves_no_duplicate(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(vertex_spec("bot"))

    def crash(*args: object) -> object:
        raise KeyboardInterrupt  # as if the process died right after the create answered

    monkeypatch.setattr(tuneops.runtime.applier, "record_started", crash)
    assert project.run("tuneops apply --auto-approve").code == 130
    assert project.creates() == 1
    assert "bot" not in project.lock()
    monkeypatch.undo()
    use_credentials(monkeypatch)
    rerun = project.run("tuneops apply --auto-approve")
    assert rerun.code == 0, rerun.err
    assert "adopt" in rerun.out
    assert project.creates() == 1


def test_two_applies_racing_converge_on_one_job_per_spec(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    checkouts = [Project(tmp_path / name, emulator) for name in ("left", "right")]
    for checkout in checkouts:
        checkout.write(vertex_spec("bot"), vertex_spec("helper"))
    env = {**os.environ, "TUNEOPS_ACCESS_TOKEN": TOKEN, "GEMINI_API_KEY": API_KEY}
    command = [sys.executable, "-m", "tuneops", "-C"]
    running = [
        subprocess.Popen(
            [*command, str(c.root), "apply", "--auto-approve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for c in checkouts
    ]
    for process in running:
        assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    live = [
        j for j in checkouts[0].remote() if j["state"] in ("JOB_STATE_PENDING", "JOB_STATE_RUNNING")
    ]
    names = sorted(j["labels"]["tuneops-name"] for j in live)
    assert names == ["bot", "helper"]
    for checkout in checkouts:  # each lockfile converges on the survivors after one more run
        checkout_env_run = subprocess.run(
            [*command, str(checkout.root), "apply", "--auto-approve"],
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        assert checkout_env_run.returncode == 0, checkout_env_run.stderr
        assert {e["pending"]["job"] for e in checkout.lock().values()} == {j["name"] for j in live}


def test_markdown_for_500_specs_stays_under_the_limit() -> None:
    actions = tuple(
        Action(
            ActionKind.REPLACE,
            f"spec-{i:03d}",
            BackendKind.VERTEX,
            Note.of(NoteCode.SPEC_CHANGED),
            "a" * 64,
            f"projects/1/locations/us-central1/tuningJobs/{i}",
            changes=(Change("description", "x" * 100, "y" * 100),),
        )
        for i in range(500)
    )
    text = render_markdown(Plan("big", "f" * 64, actions))
    assert len(text) <= MARKDOWN_LIMIT
    assert text.startswith("### tuneops plan for <code>big</code>\n\n**Plan: 500 to replace.**")
    assert text.rstrip().endswith(
        "the full plan is in the log of the job that made this plan (`tuneops plan` output)._"
    )
    shown = text.count("<details>")
    assert 0 < shown < 500
    assert f"_… {500 - shown} more actions not shown" in text


def test_a_second_apply_on_the_same_checkout_is_refused(project: Project) -> None:
    from tuneops.runtime.checkout_lock import apply_lock

    project.write(vertex_spec("bot"))
    with apply_lock(project.root / ".tuneops"):
        run = project.run("tuneops apply --auto-approve")
    assert run.code == 1
    assert run.err == (
        f"error: another apply is running in this checkout (pid {os.getpid()}); "
        "wait for it to finish and try again\n"
    )
    assert project.creates() == 0
    assert project.run("tuneops apply --auto-approve").code == 0


def test_apply_without_a_terminal_needs_auto_approve(project: Project) -> None:
    project.write(vertex_spec("bot"))
    run = project.run("tuneops apply")
    assert run.code == 1
    assert run.err == (
        "error: apply needs --auto-approve when it cannot ask for confirmation (no terminal), "
        "or a plan file from `tuneops plan --out FILE`\n"
    )
    assert project.creates() == 0


@pytest.mark.parametrize(("answer", "code", "creates"), [("yes\n", 0, 1), ("y\n", 1, 0)])
def test_apply_on_a_terminal_asks_and_only_yes_applies(
    project: Project, monkeypatch: pytest.MonkeyPatch, answer: str, code: int, creates: int
) -> None:
    import io

    from tuneops.commands.apply import apply
    from tuneops.console import Console
    from tuneops.runtime.inputs import PlanFlags

    project.write(vertex_spec("bot"))
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    monkeypatch.chdir(project.root)
    out, err = io.StringIO(), io.StringIO()
    result = apply(
        None,
        plan_file=None,
        auto_approve=False,
        parallelism=2,
        flags=PlanFlags(),
        console=Console(out, err, False),
        interactive=True,
    )
    assert result == code
    assert "Apply these changes? Only 'yes' is accepted:" in err.getvalue()
    assert project.creates() == creates


def test_embedded_endpoints_run_the_emulator_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import tuneops

    for name in (
        "TUNEOPS_ACCESS_TOKEN",
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "TUNEOPS_VERTEX_ENDPOINT",
        "TUNEOPS_GEMINI_ENDPOINT",
    ):
        monkeypatch.delenv(name, raising=False)
    assert tuneops(f"tuneops init {tmp_path}").code == 0
    run = tuneops(f"tuneops -C {tmp_path} apply --auto-approve")
    assert run.code == 0, run.err
    assert (tmp_path / ".tuneops" / "emulator.sqlite").is_file()
    again = tuneops(f"tuneops -C {tmp_path} plan --detailed-exitcode")
    assert (again.code, again.out) == (0, "No changes. The remote jobs match the specs.\n")
