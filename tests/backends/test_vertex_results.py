"""Checkpoints and evaluation scores read from an untrusted TuningJob answer."""

from __future__ import annotations

from typing import Any

from tuneops.backends.vertex.results import checkpoints, evaluation


def _job(runs: Any, metrics: Any = None, tuned: Any = None) -> dict[str, Any]:
    job: dict[str, Any] = {"evaluateDatasetRuns": runs}
    if metrics is not None:
        job["supervisedTuningSpec"] = {"evaluationConfig": {"metrics": metrics}}
    if tuned is not None:
        job["tunedModel"] = tuned
    return job


def _run(checkpoint: Any, *results: dict[str, Any]) -> dict[str, Any]:
    return {
        "checkpointId": checkpoint,
        "evaluateDatasetResponse": {"aggregationOutput": {"aggregationResults": list(results)}},
    }


def test_rouge_results_are_named_by_the_config_in_order_and_only_averages_count() -> None:
    metrics = [{"rougeSpec": {"rougeType": "rouge1"}}, {"rouge_spec": {"rouge_type": "rougeLsum"}}]
    runs = [
        _run(
            "1",
            {"aggregationMetric": "AVERAGE", "rougeMetricValue": {"score": 0.5}},
            {"aggregationMetric": "STANDARD_DEVIATION", "rougeMetricValue": {"score": 0.1}},
            {"aggregationMetric": "AVERAGE", "rougeMetricValue": {"score": 0.25}},
            {"bleuMetricValue": {"score": 1}},
        )
    ]
    (found,) = evaluation(_job(runs, metrics))
    assert (found.checkpoint_id, dict(found.scores)) == (
        "1",
        {"rouge1": 0.5, "rougeLsum": 0.25, "bleu": 1.0},
    )


def test_hostile_shapes_are_skipped_never_believed() -> None:
    runs = [
        "not a run",
        _run(7, {"bleuMetricValue": {"score": "0.9"}}),
        _run("2", {"bleuMetricValue": {"score": float("nan")}}, {"exactMatchMetricValue": 3}),
        _run("3", {"bleuMetricValue": {"score": True}}),
        {"checkpointId": "4", "evaluateDatasetResponse": []},
    ]
    assert evaluation(_job(runs)) == ()
    assert evaluation(_job({"bleu": 1})) == ()
    tuned = {
        "checkpoints": [
            {"checkpointId": "1", "epoch": "1", "step": "99999999999999999999", "endpoint": 5},
            {"checkpointId": ""},
            {"epoch": 2},
            "x",
            {"checkpointId": "3", "epoch": True, "step": 30, "endpoint": "projects/p/e/1"},
        ]
    }
    assert [
        (c.checkpoint_id, c.epoch, c.step, c.endpoint) for c in checkpoints(tuned_job(tuned))
    ] == [
        ("1", 1, None, None),
        ("3", None, 30, "projects/p/e/1"),
    ]
    assert checkpoints({"tunedModel": "x"}) == ()


def tuned_job(tuned: Any) -> dict[str, Any]:
    return {"tunedModel": tuned}
