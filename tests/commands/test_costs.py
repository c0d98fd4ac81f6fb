"""Cost estimates in plans: counted by the service online, by characters offline,
held to guards.maxCost, and checked against the billable tokens the job reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.commands.project import Project, local_vertex_spec, plan_json, staging_project
from tuneops.core.cost.estimate import TokenCount
from tuneops.datasets import shared_examples
from tuneops.emulator import EmulatorHandle
from tuneops.project.file import require_project
from tuneops.runtime.inputs import gather, load_local
from tuneops.runtime.session import RemoteSession

REPO = Path(__file__).resolve().parents[2]
# 8 support conversations: 640 tokens by the emulator's count, 516 by characters / 4.
DATASET = REPO / "data" / "support-train.jsonl"
COUNTED, BY_CHARACTERS = 640, 516


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    made = staging_project(tmp_path, emulator, monkeypatch)
    (tmp_path / "data").mkdir()
    shutil.copy(DATASET, tmp_path / "data" / "train.jsonl")
    made.write(local_vertex_spec())
    return made


def test_the_plan_shows_each_new_jobs_cost_and_the_total(project: Project) -> None:
    run = project.run("tuneops plan")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "  + create   bot  new spec",
        "        $ estimated cost ~0.01 USD: 1,280 training tokens (640 × 2 epochs; "
        "countTokens) at 10.00 USD per 1M",
        "",
        "Estimated cost of the new jobs: ~0.01 USD (an estimate, not a quote).",
        "Plan: 1 to create.",
    ]


def test_json_and_markdown_plans_carry_the_estimate(project: Project) -> None:
    plan = plan_json(project)
    assert plan["actions"][0]["cost"] == {
        "estimate": True,
        "amount": 0.0128,
        "currency": "USD",
        "trainingTokens": 2 * COUNTED,
        "tokensPerEpoch": COUNTED,
        "epochs": 2,
        "pricePerMillionTokens": 10.0,
        "method": "countTokens",
    }
    assert plan["summary"]["estimatedCost"]["amount"] == 0.0128
    markdown = project.run("tuneops plan --format markdown").out
    assert (
        "💲 Estimated cost of the new jobs: &#126;0.01 USD (an estimate, not a quote)." in markdown
    )
    assert "| <code>bot</code> | &#126;0.01 USD: 1,280 training tokens" in markdown


def test_offline_plans_estimate_from_characters(project: Project) -> None:
    run = project.run("tuneops plan --offline --format json")
    cost = json.loads(run.out)["actions"][0]["cost"]
    assert (cost["tokensPerEpoch"], cost["method"]) == (BY_CHARACTERS, "characters")


def test_max_cost_blocks_the_apply_with_exit_3(project: Project, emulator: EmulatorHandle) -> None:
    project.configure(
        guards={"maxCost": 50},
        pricing={"trainingPerMillionTokens": {"gemini-3.5-flash": 50000}},
    )
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 3
    assert "! blocked: the estimated cost 64.00 USD exceeds guards.maxCost (50.00 USD)" in run.out
    assert project.remote() == []


def test_the_estimate_is_checked_against_the_billable_tokens_the_job_reports(
    project: Project, emulator: EmulatorHandle
) -> None:
    counted = plan_json(project)["actions"][0]["cost"]["tokensPerEpoch"]
    offline = json.loads(project.run("tuneops plan --offline --format json").out)
    by_characters = offline["actions"][0]["cost"]["tokensPerEpoch"]
    assert project.run("tuneops apply --auto-approve").code == 0
    emulator.advance(3600)
    (job,) = project.remote()
    billable = int(job["tuningDataStats"]["supervisedTuningDataStats"]["totalBillableTokenCount"])
    assert counted == billable
    # The documented margin of the offline estimate (docs/datasets.md): within 30%.
    assert abs(by_characters - billable) <= 0.3 * billable


def test_status_shows_the_billable_tokens_beside_the_estimate(
    project: Project, emulator: EmulatorHandle
) -> None:
    assert project.run("tuneops apply --auto-approve").code == 0
    emulator.advance(3600)
    row = json.loads(project.run("tuneops status --format json").out)["specs"][0]
    assert (row["tuningDataStats"]["billableTokens"], row["estimatedTokens"]) == (
        COUNTED,
        BY_CHARACTERS,
    )
    details = project.run("tuneops status bot").out.splitlines()
    assert (
        f"  training data: 8 examples, {COUNTED} billable tokens (estimated {BY_CHARACTERS})"
        in (details)
    )


def test_the_service_counts_the_examples_parsed_when_the_file_was_checked(
    project: Project,
) -> None:
    # The file is parsed once per run: after loading, countTokens works from the
    # examples the checker kept, so a file emptied in between changes no count.
    loaded = require_project(project.root / "tuneops.yaml")
    local = load_local(loaded)
    (project.root / "data" / "train.jsonl").write_bytes(b"")
    with RemoteSession(loaded) as session:
        inputs = gather(loaded, session, local)
    assert inputs.training_tokens["bot"] == TokenCount(COUNTED, "countTokens")


def test_a_file_over_the_sharing_budget_is_read_again_when_counted(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared_examples, "SHARED_LINE_BYTES", 100)
    loaded = require_project(project.root / "tuneops.yaml")
    local = load_local(loaded)
    (dataset,) = local.specs[0].local_datasets
    assert dataset.turns is None
    with RemoteSession(loaded) as session:
        inputs = gather(loaded, session, local)
    assert inputs.training_tokens["bot"] == TokenCount(COUNTED, "countTokens")


PROMPT: list[dict[str, object]] = [
    {"role": "user", "parts": [{"text": "My parcel is late, what now?"}]}
]
ANSWERS: list[dict[str, object]] = [
    {"role": "model", "parts": [{"text": "Sorry! The number?"}]},
    {"role": "model", "parts": [{"text": "Wait."}]},
]
PREFERENCE_LINE = {
    "contents": PROMPT,
    "completions": [{"score": 1, "completion": ANSWERS[0]}, {"score": 0, "completion": ANSWERS[1]}],
}


def _count(emulator: EmulatorHandle, contents: list[dict[str, object]]) -> int:
    import requests

    from tests.commands.project import TOKEN

    url = (
        f"{emulator.url}/v1/projects/acme-ml/locations/us-central1/publishers/google/models/"
        "gemini-3.5-flash:countTokens"
    )
    answer = requests.post(
        url, json={"contents": contents}, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    answer.raise_for_status()
    return int(answer.json()["totalTokens"])


def test_a_preference_dataset_costs_its_prompt_twice_plus_its_completions(
    project: Project, emulator: EmulatorHandle
) -> None:
    (project.root / "data" / "prefs.jsonl").write_text(json.dumps(PREFERENCE_LINE) + "\n")
    project.configure(
        vertex=project.vertex,
        catalogue={
            "models": [
                {
                    "id": "gemini-3.5-flash",
                    "backends": {"vertex": {"tuning": {"methods": ["supervised", "preference"]}}},
                }
            ]
        },
    )
    spec = local_vertex_spec("prefs", epochs=1, method="preference")
    spec["spec"]["trainingData"] = {"file": "../data/prefs.jsonl"}
    project.remove("bot")
    project.write(spec)
    plan = plan_json(project)
    prompt, answers = _count(emulator, PROMPT), _count(emulator, ANSWERS)
    assert plan["actions"][0]["cost"]["tokensPerEpoch"] == 2 * prompt + answers
    assert plan["actions"][0]["cost"]["method"] == "countTokens"
