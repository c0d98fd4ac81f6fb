"""countTokens answers are untrusted (issue 22): a count that is not a count of tokens
stops the plan with an error naming the endpoint and the field, never an estimate.

Before: a negative count gave "~-2,000,000.00 USD" and passed guards.maxCost
(exit 0), and an answer without totalTokens counted as 0 tokens.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.commands.project import Project, local_vertex_spec, staging_project
from tests.hostile import HostileServer, Reply
from tuneops.emulator import EmulatorHandle

REPO = Path(__file__).resolve().parents[2]
DATASET = REPO / "data" / "support-train.jsonl"


@pytest.fixture
def staged(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    made = staging_project(tmp_path, emulator, monkeypatch)
    (tmp_path / "data").mkdir()
    shutil.copy(DATASET, tmp_path / "data" / "train.jsonl")
    made.write(local_vertex_spec())
    return made


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ({"totalTokens": -99_999_999_999}, "-99999999999"),
        ({}, "None"),
        ({"totalTokens": "640"}, "640"),
        ({"totalTokens": 10**30}, str(10**30)),
    ],
    ids=["negative", "missing", "text", "absurd"],
)
def test_a_token_count_that_is_not_a_count_stops_the_plan_under_a_cost_guard(
    staged: Project, hostile: HostileServer, answer: dict[str, Any], shown: str
) -> None:
    hostile.rule("POST", r".*:countTokens", lambda seen: Reply.of(200, answer))
    staged.vertex["endpoint"] = hostile.url
    staged.configure(guards={"maxCost": 50})
    run = staged.run("tuneops plan")
    assert run.code == 1, run.out
    (line,) = run.err.splitlines()
    assert line.startswith(f"error: POST {hostile.url}/v1/projects/acme-ml/locations/us-central1/")
    assert line.endswith(
        f":countTokens: the answer's totalTokens is {shown[:40]!r}, not a count of tokens "
        "from 0 to 1,000,000,000,000; the cost of the plan cannot be estimated"
    )
    assert run.out == ""
