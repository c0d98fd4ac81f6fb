"""The promotion gate as a pure function: what serves, and whether it may."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from tuneops.core.evaluation import Checkpoint, CheckpointScores
from tuneops.core.jobs import RemoteJob
from tuneops.core.promotion import GateCode, GateFailure, gate_record, judge, served_scores
from tuneops.lockfile.file import Revision
from tuneops.specs.kinds import BackendKind, JobState
from tuneops.specs.models import VertexSpec

EVALUATION = {"metrics": ["bleu", "exactMatch"], "outputUri": "gs://a/eval/"}


def _spec(**fields: Any) -> VertexSpec:
    return VertexSpec.model_validate(
        {"baseModel": "gemini-3.5-flash", "trainingDataset": "gs://a/t.jsonl", **fields}
    )


def _job(scores: dict[str, dict[str, float]]) -> RemoteJob:
    return RemoteJob(
        backend=BackendKind.VERTEX,
        name="projects/1/locations/l/tuningJobs/9",
        spec_name="bot",
        spec_hash="0" * 16,
        stack="s",
        protect=False,
        state=JobState.SUCCEEDED,
        endpoint="e/own",
        checkpoints=tuple(Checkpoint(c, int(c), None, f"e/{c}") for c in scores),
        evaluation=tuple(CheckpointScores(c, MappingProxyType(s)) for c, s in scores.items()),
    )


def _active(scores: dict[str, float], checkpoint: str | None = None) -> Revision:
    return Revision(
        "projects/1/locations/l/tuningJobs/1",
        "1" * 64,
        JobState.SUCCEEDED,
        checkpoints=({"id": "1"}, {"id": "2"}),
        evaluation={"1": {"bleu": 0.0}, "2": scores},
        checkpoint=checkpoint,
    )


SCORES = {"1": {"bleu": 0.7, "exactMatch": 0.1}, "2": {"bleu": 0.5, "exactMatch": 0.2}}


def test_default_serving_is_the_own_endpoint_with_the_last_checkpoints_scores() -> None:
    verdict = judge(_spec(evaluation=EVALUATION), _job(SCORES), None)
    assert (verdict.serving.checkpoint_id, verdict.serving.endpoint) == (None, "e/own")
    assert dict(verdict.serving.scores) == SCORES["2"]
    assert verdict.passed and not verdict.judged


def test_best_picks_the_highest_score_and_ties_go_to_the_later_checkpoint() -> None:
    spec = _spec(evaluation=EVALUATION, serve={"checkpoint": "best", "metric": "bleu"})
    assert judge(spec, _job(SCORES), None).serving.checkpoint_id == "1"
    tied = {"1": {"bleu": 0.5}, "2": {"bleu": 0.5}}
    assert judge(spec, _job(tied), None).serving.endpoint == "e/2"


def test_conditions_compare_with_floors_and_the_active_revisions_served_scores() -> None:
    spec = _spec(
        evaluation=EVALUATION,
        serve={"checkpoint": "1"},
        promote={
            "conditions": [
                {"metric": "bleu", "atLeast": 0.8, "maxDrop": 0.05},
                {"metric": "exactMatch", "maxDrop": 0.0},
            ]
        },
    )
    verdict = judge(spec, _job(SCORES), _active({"bleu": 0.9, "exactMatch": 0.1}))
    assert verdict.failures == (
        GateFailure(GateCode.BELOW_MINIMUM, "bleu", 0.7, 0.8),
        GateFailure(GateCode.DROPPED, "bleu", 0.7, 0.05, 0.9),
    )
    # exactMatch 0.1 vs active 0.1: no drop at all is within maxDrop 0.
    assert gate_record(verdict, "failed")["baseline"] == {"bleu": 0.9, "exactMatch": 0.1}
    # The active revision serving checkpoint 1 is compared by checkpoint 1's scores.
    against_one = judge(spec, _job(SCORES), _active({"bleu": 0.9}, checkpoint="1"))
    assert [f.code for f in against_one.failures] == [GateCode.BELOW_MINIMUM]


def test_a_gate_that_cannot_be_judged_fails() -> None:
    promote = {"conditions": [{"metric": "bleu", "atLeast": 0.1}]}
    no_scores = judge(_spec(evaluation=EVALUATION, promote=promote), _job({}), None)
    assert no_scores.failures == (GateFailure(GateCode.MISSING, "bleu"),)
    gone = judge(
        _spec(evaluation=EVALUATION, promote=promote, serve={"checkpoint": "7"}),
        _job(SCORES),
        None,
    )
    assert [f.code for f in gone.failures] == [GateCode.MISSING_CHECKPOINT, GateCode.MISSING]
    assert not gone.passed


def test_served_scores_read_from_the_lockfile_order_checkpoints_by_number() -> None:
    # Read back from YAML, the keys come sorted as text: "10" before "9".
    revision = Revision(
        "projects/1/locations/l/tuningJobs/1",
        "1" * 64,
        JobState.SUCCEEDED,
        evaluation={"10": {"bleu": 0.9}, "9": {"bleu": 0.1}},
    )
    assert dict(served_scores(revision)) == {"bleu": 0.9}
