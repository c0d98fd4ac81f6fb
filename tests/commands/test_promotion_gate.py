"""The promotion gate end to end: tuneops over HTTP against the emulator, whose
evaluation scores the test sets (issue 19). One gate passes, one fails."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from tests.commands.project import Project, use_credentials
from tests.commands.test_json_output import document
from tuneops.emulator import EmulatorHandle

VALIDATION = "gs://acme/bot-val.jsonl"


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


def _gated(epochs: int, **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "tuneops.dev/v1",
        "kind": "TuningJob",
        "metadata": {"name": "bot"},
        "spec": {
            "baseModel": "gemini-3.5-flash",
            "trainingDataset": "gs://acme/bot.jsonl",
            "validationDataset": VALIDATION,
            "hyperParameters": {"epochCount": epochs},
            "evaluation": {"metrics": ["bleu", "rougeL"], "outputUri": "gs://acme/eval/"},
            "promote": {
                "conditions": [
                    {"metric": "bleu", "atLeast": 0.4},
                    {"metric": "rougeL", "maxDrop": 0.05},
                ]
            },
            **extra,
        },
    }


def _finish(project: Project, scores: dict[str, dict[str, float]]) -> str:
    """Lets the pending job succeed with `scores`; returns its name."""
    job = str(project.lock()["bot"]["pending"]["job"])
    project.emulator.force(job, "succeed")
    project.emulator.set_scores(job, scores)
    return job


def test_a_gate_that_passes_promotes_and_records_scores_and_checkpoints(
    project: Project,
) -> None:
    project.write(_gated(2, serve={"checkpoint": "best", "metric": "bleu"}))
    assert project.run("tuneops apply --auto-approve").code == 0
    job = _finish(project, {"1": {"bleu": 0.6, "rougeL": 0.5}, "2": {"bleu": 0.45, "rougeL": 0.5}})
    # The plan's view of the finished revision shows what it scored.
    plan = project.run("tuneops plan")
    assert "pending revision succeeded; scores (checkpoint 1): bleu=0.6 rougeL=0.5" in plan.out
    planned = document("plan", project.run("tuneops plan --format json").out)
    (promote,) = planned["actions"]
    assert (promote["scores"], promote["checkpoint"]) == ({"bleu": 0.6, "rougeL": 0.5}, "1")
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 0, run.out + run.err
    active = project.lock()["bot"]["active"]
    assert active["job"] == job
    assert active["gate"] == {"result": "passed"}
    assert active["checkpoint"] == "1"  # best by bleu
    assert active["endpoint"] == active["checkpoints"][0]["endpoint"]
    assert [c["id"] for c in active["checkpoints"]] == ["1", "2"]
    assert active["evaluation"] == {
        "1": {"bleu": 0.6, "rougeL": 0.5},
        "2": {"bleu": 0.45, "rougeL": 0.5},
    }
    assert "pending" not in project.lock()["bot"]
    status = document("status", project.run("tuneops status --format json").out)
    assert status["specs"][0]["endpoint"] == active["endpoint"]  # the served checkpoint's


def test_a_gate_that_fails_keeps_the_active_endpoint_and_exits_3(project: Project) -> None:
    project.write(_gated(2))
    project.run("tuneops apply --auto-approve")
    _finish(project, {"*": {"bleu": 0.5, "rougeL": 0.6}})
    assert project.run("tuneops apply --auto-approve").code == 0
    before = project.lock()["bot"]["active"]

    project.write(_gated(3))  # a new revision, which scores worse
    project.run("tuneops apply --auto-approve")
    job = _finish(project, {"*": {"bleu": 0.3, "rougeL": 0.5}})
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 3, run.out + run.err
    assert "held back by its promotion gate" in run.out
    assert run.out.splitlines()[-1] == (
        "Apply complete: 0 done, 1 held back by a promotion gate, 0 failed. Lockfile: tuneops.lock"
    )
    after = project.lock()["bot"]
    assert after["active"] == before
    assert after["pending"]["job"] == job
    assert after["pending"]["gate"] == {
        "result": "failed",
        "failures": [
            {"code": "below-minimum", "metric": "bleu", "value": 0.3, "limit": 0.4},
            {"code": "dropped", "metric": "rougeL", "value": 0.5, "limit": 0.05, "active": 0.6},
        ],
        "baseline": {"bleu": 0.5, "rougeL": 0.6},
    }
    # The next plan proposes nothing for it and says why.
    plan = project.run("tuneops plan")
    assert plan.code == 0
    summary = (
        f"bot: revision {job} did not pass its promotion gate (bleu 0.3 < 0.4; rougeL 0.6 -> "
        "0.5, more than 0.05 down; active -> pending: bleu 0.5 -> 0.3, rougeL 0.6 -> 0.5), so "
        "the active revision keeps serving"
    )
    assert summary in plan.out
    # The PR comment is the plan in Markdown: it carries the same comparison.
    markdown = project.run("tuneops plan --format markdown")
    assert summary in html.unescape(markdown.out)


def test_status_shows_old_and_new_scores_and_why_the_gate_held(project: Project) -> None:
    project.write(_gated(2))
    project.run("tuneops apply --auto-approve")
    _finish(project, {"*": {"bleu": 0.5, "rougeL": 0.6}})
    project.run("tuneops apply --auto-approve")
    project.write(_gated(3))
    project.run("tuneops apply --auto-approve")
    job = _finish(project, {"*": {"bleu": 0.3, "rougeL": 0.5}})
    assert project.run("tuneops apply --auto-approve").code == 3

    table = project.run("tuneops status").out.splitlines()
    assert table[2:5] == [
        "  pending gate: failed: bleu 0.3 is below 0.4 (atLeast); rougeL 0.5 is more than "
        "0.05 below the active 0.6 (maxDrop)",
        "  active gate: passed",
        "  active -> pending: bleu 0.5 -> 0.3, rougeL 0.6 -> 0.5",
    ]
    text = project.run("tuneops status bot")
    assert text.code == 0
    row, *details = text.out.splitlines()[1:]
    assert row.split()[:3] == ["bot", "in", "sync"]
    assert "degraded" in row
    details = [line for line in details if line.split(":")[0].split()[0] in ("pending", "active")]
    assert details[:6] == [
        "  pending gate: failed: bleu 0.3 is below 0.4 (atLeast); rougeL 0.5 is more than "
        "0.05 below the active 0.6 (maxDrop)",
        "  pending scores: bleu=0.3 rougeL=0.5",
        "  pending checkpoints: 1, 2, 3",
        "  active gate: passed",
        "  active scores: bleu=0.5 rougeL=0.6",
        "  active checkpoints: 1, 2",
    ]
    assert "  active -> pending: bleu 0.5 -> 0.3, rougeL 0.6 -> 0.5" in details

    status = document("status", project.run("tuneops status --format json").out)
    (spec,) = status["specs"]
    assert spec["pendingResults"]["job"] == job
    assert spec["pendingResults"]["scores"] == {"bleu": 0.3, "rougeL": 0.5}
    assert spec["pendingResults"]["gate"]["result"] == "failed"
    assert spec["activeResults"]["scores"] == {"bleu": 0.5, "rougeL": 0.6}
    assert spec["activeResults"]["evaluation"]["2"] == {"bleu": 0.5, "rougeL": 0.6}


def test_promote_by_hand_overrides_a_failed_gate_and_records_it(project: Project) -> None:
    project.write(_gated(2))
    project.run("tuneops apply --auto-approve")
    _finish(project, {"*": {"bleu": 0.5, "rougeL": 0.6}})
    project.run("tuneops apply --auto-approve")
    old = project.lock()["bot"]["active"]["job"]
    project.write(_gated(3))
    project.run("tuneops apply --auto-approve")
    job = _finish(project, {"*": {"bleu": 0.3, "rougeL": 0.6}})
    assert project.run("tuneops apply --auto-approve").code == 3

    wrong = project.run("tuneops promote bot --revision 42")
    assert wrong.code == 1
    assert f"spec 'bot' has no revision '42' in the lockfile (known: {job}, {old})" in wrong.err
    run = project.run(f"tuneops promote bot --revision {job.rsplit('/', 1)[1]}")
    assert run.code == 0, run.err
    endpoint = project.lock()["bot"]["active"]["endpoint"]
    assert run.out == f"bot: promoted {job} by hand, serving {endpoint}; it replaces {old}\n"
    entry = project.lock()["bot"]
    assert "pending" not in entry
    assert entry["active"]["job"] == job
    assert entry["active"]["promotedBy"] == "manual"
    assert entry["active"]["gate"]["result"] == "overridden"
    again = project.run(f"tuneops promote bot --revision {job} --format json")
    assert document("promote", again.out)["result"] == "already-active"
    # The next apply leaves it be: it is the spec's current, active revision.
    assert project.run("tuneops apply --auto-approve").code == 0
    assert project.lock()["bot"]["active"]["job"] == job


def test_reconcile_judges_the_gate_too_and_exits_3_when_it_holds(project: Project) -> None:
    project.write(_gated(2))
    project.run("tuneops apply --auto-approve")
    _finish(project, {"*": {"bleu": 0.1, "rougeL": 0.6}})
    run = project.run("tuneops reconcile --write-lock")
    assert run.code == 3, run.out + run.err
    entry = project.lock()["bot"]
    assert "active" not in entry
    assert entry["pending"]["gate"]["failures"] == [
        {"code": "below-minimum", "metric": "bleu", "value": 0.1, "limit": 0.4}
    ]


def test_apply_json_counts_a_held_revision_apart_and_carries_the_verdict(
    project: Project,
) -> None:
    project.write(_gated(2))
    project.run("tuneops apply --auto-approve")
    _finish(project, {"*": {"bleu": 0.2, "rougeL": 0.6}})
    run = project.run("tuneops apply --auto-approve --format json")
    assert run.code == 3
    applied = document("apply", run.out)  # checked against schemas/output/apply.schema.json
    assert applied["summary"] == {"done": 0, "queued": 0, "heldBack": 1, "failed": 0}
    (outcome,) = applied["outcomes"]
    assert outcome["heldBack"] is True and outcome["ok"] is False
    assert outcome["gate"]["failures"][0]["code"] == "below-minimum"


def test_the_smoke_test_asks_the_served_checkpoint_and_is_part_of_the_gate(
    project: Project,
) -> None:
    smoke = {"prompt": "Where is my order?", "expect": {"contains": "tuned answer"}}
    project.write(_gated(2, serve={"checkpoint": "1"}, smokeTest=smoke))
    project.run("tuneops apply --auto-approve")
    _finish(project, {"*": {"bleu": 0.5, "rougeL": 0.6}})
    project.emulator.clear_request_counts()
    assert project.run("tuneops apply --auto-approve").code == 0
    active = project.lock()["bot"]["active"]
    assert active["smokeTest"] == "passed"
    endpoint_id = active["endpoint"].rsplit("/", 1)[1]
    assert active["endpoint"] == active["checkpoints"][0]["endpoint"]
    generated = [r for r in project.emulator.request_counts() if "generateContent" in r]
    assert generated == [
        "POST /v1/projects/{project}/locations/{location}/endpoints/{endpoint}:generateContent"
    ]
    assert endpoint_id.endswith("01")  # the emulator's endpoint of checkpoint 1

    failing = {"prompt": "Where is my order?", "expect": {"equals": "never"}}
    project.write(_gated(3, serve={"checkpoint": "1"}, smokeTest=failing))
    project.run("tuneops apply --auto-approve")
    _finish(project, {"*": {"bleu": 0.5, "rougeL": 0.6}})
    assert project.run("tuneops apply --auto-approve").code == 3
    pending = project.lock()["bot"]["pending"]
    assert pending["smokeTest"] == "failed"
    assert pending["gate"] == {
        "result": "failed",
        "smokeTest": "failed",
        "baseline": {"bleu": 0.5, "rougeL": 0.6},
    }
    assert project.lock()["bot"]["active"] == active
    status = project.run("tuneops status")  # the lockfile reads back as valid
    assert status.code == 0, status.err
    assert "  pending gate: failed: its smoke test failed" in status.out


def test_a_loosened_gate_and_retry_failed_judge_a_held_revision_again(project: Project) -> None:
    project.write(_gated(2))
    project.run("tuneops apply --auto-approve")
    job = _finish(project, {"*": {"bleu": 0.3, "rougeL": 0.6}})
    assert project.run("tuneops apply --auto-approve").code == 3
    loosened = _gated(2)
    loosened["spec"]["promote"]["conditions"][0]["atLeast"] = 0.25
    project.write(loosened)  # the gate is not in the hash: the same revision, no new job
    assert project.run("tuneops apply --auto-approve").code == 0  # still held: nothing to do
    assert project.lock()["bot"]["pending"]["job"] == job
    run = project.run("tuneops apply --auto-approve --retry-failed")
    assert run.code == 0, run.out + run.err
    entry = project.lock()["bot"]
    assert entry["active"]["job"] == job and entry["active"]["gate"] == {"result": "passed"}
    assert "pending" not in entry
