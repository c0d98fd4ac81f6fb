"""The checkpoints and evaluation results of a succeeded Vertex AI tuning job.

Wire shapes (read 2026-12-06, the google-genai SDK 3.x types `TunedModel`,
`TunedModelCheckpoint`, `EvaluateDatasetRun`, `AggregationOutput`, and
https://docs.cloud.google.com/dotnet/docs/reference/Google.Cloud.AIPlatform.V1Beta1/latest/Google.Cloud.AIPlatform.V1Beta1.TunedModelCheckpoint):
`tunedModel.checkpoints[]` = {checkpointId, epoch, step, endpoint} (int64 as
strings); `evaluateDatasetRuns[]` = {checkpointId, operationName,
evaluateDatasetResponse: {aggregationOutput: {aggregationResults: [{aggregationMetric,
bleuMetricValue | exactMatchMetricValue | rougeMetricValue: {score}}]}}}.

The emulator's own choices: one checkpoint per epoch (the last only with
`exportLastCheckpointOnly`), ids "1", "2", ...; the last checkpoint is served on
the job's own endpoint; a job that names no epoch count trains 3. Scores are
drawn from the job's name (itself from the emulator's seed), so a run is
repeatable, and a test may set them through `POST /_emulator/jobs:evaluate`
(stored in the job's `extra`).
"""

from __future__ import annotations

import random
from typing import Any

from tuneops.emulator.errors import JsonObject
from tuneops.emulator.store import JobRecord

TUNING_SPECS = ("supervisedTuningSpec", "preferenceOptimizationSpec")
DEFAULT_EPOCHS = 3
STEPS_PER_EPOCH = 10

# The metric specs an evaluationConfig may hold, and the result field each reports in.
_METRIC_VALUES = {
    "bleuSpec": "bleuMetricValue",
    "exactMatchSpec": "exactMatchMetricValue",
    "rougeSpec": "rougeMetricValue",
}


def tuning_spec(resource: JsonObject) -> JsonObject:
    """The job's one tuning spec (supervised or preference)."""
    for key in TUNING_SPECS:
        if key in resource:
            spec: JsonObject = resource[key]
            return spec
    return {}


def _epochs(spec: JsonObject) -> int:
    epochs = (spec.get("hyperParameters") or {}).get("epochCount")
    return int(epochs) if epochs else DEFAULT_EPOCHS


def checkpoint_ids(record: JobRecord) -> list[str]:
    """The ids of the checkpoints the job exports, oldest first."""
    spec = tuning_spec(record.resource)
    epochs = _epochs(spec)
    first = epochs if spec.get("exportLastCheckpointOnly") else 1
    return [str(epoch) for epoch in range(first, epochs + 1)]


def checkpoint_endpoint(record: JobRecord, checkpoint: str) -> str:
    """The endpoint a checkpoint is deployed to; the last one is the job's own."""
    own = record.endpoint or ""
    if checkpoint == checkpoint_ids(record)[-1]:
        return own
    return f"{own}{int(checkpoint):02d}"


def render_checkpoints(record: JobRecord) -> list[JsonObject]:
    """`tunedModel.checkpoints` of a succeeded job."""
    return [
        {
            "checkpointId": checkpoint,
            "epoch": checkpoint,
            "step": str(int(checkpoint) * STEPS_PER_EPOCH),
            "endpoint": checkpoint_endpoint(record, checkpoint),
        }
        for checkpoint in checkpoint_ids(record)
    ]


def metric_names(config: JsonObject) -> list[tuple[str, str]]:
    """(result field, metric name) per metric of an evaluationConfig, in order.

    Names are tuneops' spelling (bleu, exactMatch, rougeL, ...), used only as keys
    of the scores a test sets; snake_case specs (as the SDK sends them) count too.
    """
    found: list[tuple[str, str]] = []
    for metric in config.get("metrics") or []:
        if not isinstance(metric, dict):
            continue
        for spec, value in _METRIC_VALUES.items():
            snake = _snake(spec)
            body = metric.get(spec, metric.get(snake))
            if body is None:
                continue
            name = spec.removesuffix("Spec")
            if spec == "rougeSpec" and isinstance(body, dict):
                name = str(body.get("rougeType") or body.get("rouge_type") or "rougeL")
            found.append((value, name))
    return found


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _drawn(record: JobRecord, checkpoint: str, name: str) -> float:
    return round(random.Random(f"{record.name}/{checkpoint}/{name}").random(), 4)


def scores(record: JobRecord) -> dict[str, dict[str, float]]:
    """Score per checkpoint per metric: set through the control API, else seeded."""
    config = tuning_spec(record.resource).get("evaluationConfig") or {}
    chosen: dict[str, Any] = record.extra.get("evaluation") or {}
    result: dict[str, dict[str, float]] = {}
    for checkpoint in checkpoint_ids(record):
        set_here = {**(chosen.get("*") or {}), **(chosen.get(checkpoint) or {})}
        result[checkpoint] = {
            name: float(set_here.get(name, _drawn(record, checkpoint, name)))
            for _, name in metric_names(config)
        }
    return result


def render_evaluation(record: JobRecord) -> list[JsonObject]:
    """`evaluateDatasetRuns` of a succeeded job with an evaluationConfig (else empty)."""
    config = tuning_spec(record.resource).get("evaluationConfig")
    if not config:
        return []
    fields = metric_names(config)
    runs: list[JsonObject] = []
    for checkpoint, values in scores(record).items():
        results = [
            {"aggregationMetric": "AVERAGE", field: {"score": values[name]}}
            for field, name in fields
        ]
        runs.append(
            {
                "checkpointId": checkpoint,
                "operationName": f"{record.name}/operations/evaluate-{checkpoint}",
                "evaluateDatasetResponse": {"aggregationOutput": {"aggregationResults": results}},
            }
        )
    return runs
