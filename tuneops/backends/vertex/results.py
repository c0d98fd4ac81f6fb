"""A Vertex AI job's checkpoints and evaluation scores, read from its answer.

Wire shapes (read 2026-12-06: the google-genai SDK 3.x types `TunedModelCheckpoint`,
`EvaluateDatasetRun`, `AggregationOutput`, `AggregationResult`;
https://googleapis.dev/dotnet/Google.Apis.Aiplatform.v1/latest/api/Google.Apis.Aiplatform.v1.Data.GoogleCloudAiplatformV1TunedModelCheckpoint.html,
https://pub.dev/documentation/google_cloud_aiplatform_v1beta1/latest/aiplatform/TuningJob/evaluateDatasetRuns.html):
`tunedModel.checkpoints[]` {checkpointId, epoch, step (int64: strings), endpoint};
`evaluateDatasetRuns[]` {checkpointId, evaluateDatasetResponse.aggregationOutput.
aggregationResults[] {aggregationMetric, bleuMetricValue | exactMatchMetricValue |
rougeMetricValue: {score}}}.

A result does not say which ROUGE variant it is; the job's own evaluationConfig
does, in order, so the n-th ROUGE average is the n-th ROUGE metric asked for.
The service's answer is untrusted: an entry of the wrong shape is skipped, never
believed, and a score must be a finite number.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from tuneops.core.evaluation import Checkpoint, CheckpointScores

TUNING_SPECS = ("supervisedTuningSpec", "preferenceOptimizationSpec")
_VALUE_FIELDS = {
    "bleuMetricValue": "bleu",
    "exactMatchMetricValue": "exactMatch",
    "rougeMetricValue": "rouge",
}
_SPEC_FIELDS = {"bleuSpec": "bleu", "exactMatchSpec": "exactMatch", "rougeSpec": "rouge"}
# The SDK sends the metric specs in snake_case; the service echoes what it got.
_SNAKE = {"bleu_spec": "bleuSpec", "exact_match_spec": "exactMatchSpec", "rouge_spec": "rougeSpec"}
_ROUGE_TYPES = {
    "rouge1": "rouge1",
    "rouge2": "rouge2",
    "rougel": "rougeL",
    "rougelsum": "rougeLsum",
}
_MAX_ENTRIES = 1000


def checkpoints(data: Mapping[str, Any]) -> tuple[Checkpoint, ...]:
    """The checkpoints of a job's tuned model, in the order the service lists them.

    A plan lists every job of the stack (20,000 in the benchmark), each with a
    checkpoint per epoch: ids repeat across jobs and are shared, and a
    checkpoint deployed to the model's own endpoint shares that string
    (tests/benchmarks/bench_plan.py, peak memory).
    """
    tuned = data.get("tunedModel")
    listed = tuned.get("checkpoints") if isinstance(tuned, Mapping) else None
    if not listed:
        return ()
    own = tuned.get("endpoint") if isinstance(tuned, Mapping) else None
    found: list[Checkpoint] = []
    for entry in _entries(listed):
        checkpoint_id = entry.get("checkpointId")
        if not isinstance(checkpoint_id, str) or not checkpoint_id:
            continue
        endpoint = entry.get("endpoint")
        if not isinstance(endpoint, str) or not endpoint:
            endpoint = None
        elif endpoint == own:
            endpoint = own
        found.append(
            Checkpoint(
                checkpoint_id=sys.intern(checkpoint_id),
                epoch=_count(entry.get("epoch")),
                step=_count(entry.get("step")),
                endpoint=endpoint,
            )
        )
    return tuple(found)


def evaluation(data: Mapping[str, Any]) -> tuple[CheckpointScores, ...]:
    """The averaged score of each metric, per evaluated checkpoint."""
    runs = data.get("evaluateDatasetRuns")
    if not runs:
        return ()
    rouge_names = _rouge_names(data)
    found: list[CheckpointScores] = []
    for run in _entries(runs):
        checkpoint_id = run.get("checkpointId")
        scores = _scores(run, rouge_names)
        if scores:
            found.append(
                CheckpointScores(
                    checkpoint_id=checkpoint_id if isinstance(checkpoint_id, str) else None,
                    scores=MappingProxyType(scores),
                )
            )
    return tuple(found)


def _scores(run: Mapping[str, Any], rouge_names: Sequence[str]) -> dict[str, float]:
    response = run.get("evaluateDatasetResponse")
    output = response.get("aggregationOutput") if isinstance(response, Mapping) else None
    results = output.get("aggregationResults") if isinstance(output, Mapping) else None
    scores: dict[str, float] = {}
    rouge_seen = 0
    for result in _entries(results):
        if result.get("aggregationMetric", "AVERAGE") != "AVERAGE":
            continue
        for field, name in _VALUE_FIELDS.items():
            value = result.get(field)
            if not isinstance(value, Mapping):
                continue
            if name == "rouge":
                name = rouge_names[rouge_seen] if rouge_seen < len(rouge_names) else "rouge"
                rouge_seen += 1
            score = value.get("score")
            if isinstance(score, int | float) and _finite(score):
                scores[name] = float(score)
    return scores


def _rouge_names(data: Mapping[str, Any]) -> list[str]:
    """The ROUGE variants the job's evaluationConfig asked for, in order."""
    for key in TUNING_SPECS:
        spec = data.get(key)
        if isinstance(spec, Mapping) and isinstance(spec.get("evaluationConfig"), Mapping):
            metrics = spec["evaluationConfig"].get("metrics")
            return [name for name in _metric_names(metrics) if name.startswith("rouge")]
    return []


def _metric_names(metrics: Any) -> Iterator[str]:
    for metric in _entries(metrics):
        for key, body in metric.items():
            kind = _SPEC_FIELDS.get(_SNAKE.get(key, key))
            if kind == "rouge":
                given = (
                    body.get("rougeType") or body.get("rouge_type")
                    if isinstance(body, Mapping)
                    else None
                )
                yield _ROUGE_TYPES.get(str(given).lower(), "rouge") if given else "rouge"
            elif kind is not None:
                yield kind


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _entries(value: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(value, list):
        return
    for entry in value[:_MAX_ENTRIES]:
        if isinstance(entry, Mapping):
            yield entry


def _count(value: Any) -> int | None:
    # int64 fields come back as JSON strings ("10").
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 19 else None
