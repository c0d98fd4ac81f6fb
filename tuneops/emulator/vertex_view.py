"""How a Vertex AI tuning job looks at a given instant, field for field."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

from tuneops.emulator.checkpoints import render_checkpoints, render_evaluation
from tuneops.emulator.clock import MICROS, format_time
from tuneops.emulator.errors import JsonObject
from tuneops.emulator.lifecycle import Phase, observe
from tuneops.emulator.protojson import render_message
from tuneops.emulator.schemas import TUNING_JOB
from tuneops.emulator.store import JobRecord

# The one real failure on record (replays/vertex_tuning_job_get_failed.json): the
# model was trained and uploaded, so `tunedModel.model` is set but no endpoint.
FAILED_ERROR = {
    "code": 13,
    "message": "Failed to create endpoint. Tuned model is uploaded and can be accessed "
    "through Model Registry.",
}
CANCELLED_ERROR = {"code": 1, "message": "CANCELED"}


def render_job(record: JobRecord, now_us: int, version: str) -> JsonObject:
    """The TuningJob JSON of `record` at `now_us`, as GET answers it."""
    seen = observe(record.timeline, now_us)
    job: JsonObject = {"name": record.name}
    job.update(render_message(record.resource, TUNING_JOB, version))
    job["state"] = seen.phase.value
    job["createTime"] = format_time(record.create_us)
    if seen.start_us is not None:
        job["startTime"] = format_time(seen.start_us)
    if seen.end_us is not None:
        job["endTime"] = format_time(seen.end_us)
    job["updateTime"] = format_time(seen.update_us)
    failure = record.extra.get("failure")
    stopped = record.extra.get("stopped")
    if seen.phase is Phase.FAILED and failure:
        # A dataset the service could not use: code 3 (INVALID_ARGUMENT), nothing trained.
        job["error"] = {"code": 3, "message": failure}
    elif seen.phase is Phase.FAILED and stopped:
        # Its base model was retired while it ran: nothing was uploaded.
        job["error"] = dict(stopped)
    elif seen.phase is Phase.FAILED:
        job["error"] = dict(FAILED_ERROR)
    elif seen.phase is Phase.CANCELLED:
        job["error"] = dict(CANCELLED_ERROR)
    if seen.started:
        job["experiment"] = record.extra["experiment"]
    if seen.phase is Phase.SUCCEEDED:
        job["tunedModel"] = {
            "model": record.extra["model"],
            "endpoint": record.endpoint,
            "checkpoints": render_checkpoints(record),
        }
        runs = render_evaluation(record)
        if runs:
            job["evaluateDatasetRuns"] = runs
    elif seen.phase is Phase.FAILED and not failure and not stopped:
        job["tunedModel"] = {"model": record.extra["model"]}
    if seen.started and not failure:
        kind = (
            "preferenceOptimizationDataStats"
            if "preferenceOptimizationSpec" in record.resource
            else "supervisedTuningDataStats"
        )
        job["tuningDataStats"] = {kind: _stats_for(kind, record.extra["dataStats"])}
    return job


# The fields a preference job's statistics share with a supervised job's (the SDK's
# PreferenceOptimizationDataStats, read 2026-12-06); its example lines differ in shape.
_PREFERENCE_STATS = (
    "tuningDatasetExampleCount",
    "totalBillableTokenCount",
    "userInputTokenDistribution",
    "userOutputTokenDistribution",
)


def _stats_for(kind: str, stats: JsonObject) -> JsonObject:
    if kind == "supervisedTuningDataStats":
        return stats
    return {key: stats[key] for key in _PREFERENCE_STATS if key in stats}


def experiment_name(parent: str, create_us: int) -> str:
    """The Vertex experiment context a tuning job reports once it runs."""
    moment = datetime.fromtimestamp(create_us // MICROS, tz=timezone.utc)
    stamp = moment.strftime("%Y%m%d%H%M%S") + f"{create_us % MICROS:06d}"
    return f"{parent}/metadataStores/default/contexts/tuning-experiment-{stamp}"


def data_stats(seed: str, dataset_uri: str) -> JsonObject:
    """Plausible, deterministic statistics of a training set the emulator cannot read.

    The field set is that of the recorded real job, so clients meet the same shape.
    """
    rng = random.Random(seed)
    count = rng.randrange(100, 1000)
    inputs = [int(rng.lognormvariate(6.0, 0.6)) + 8 for _ in range(count)]
    outputs = [int(rng.lognormvariate(3.6, 0.5)) + 2 for _ in range(count)]
    messages = [2] * count
    examples: list[JsonObject] = []
    for index in range(1, 4):
        text = f"Example input {index} of {dataset_uri}..."
        examples.append({"role": "user", "parts": [{"text": text}]})
        examples.append({"role": "model", "parts": [{"text": f"Example output {index}."}]})
    return {
        "tuningDatasetExampleCount": str(count),
        "userInputTokenDistribution": _distribution(inputs),
        "userOutputTokenDistribution": _distribution(outputs),
        "userMessagePerExampleDistribution": _distribution(messages),
        "userDatasetExamples": examples,
        "totalBillableTokenCount": str(sum(inputs) + sum(outputs)),
    }


def _distribution(values: list[int]) -> JsonObject:
    ordered = sorted(values)
    n = len(ordered)

    def percentile(share: float) -> int:
        return ordered[min(n - 1, int(share * n))]

    low, high = ordered[0], ordered[-1]
    width = max(1, (high - low + 5) // 5)
    buckets: list[JsonObject] = []
    for left in range(low, high + 1, width):
        right = min(high, left + width - 1)
        count = sum(1 for v in ordered if left <= v <= right)
        if count:
            buckets.append({"count": count, "left": left, "right": right})
    mean = round(sum(ordered) / n, 3)
    result: dict[str, Any] = {
        "sum": str(sum(ordered)),
        "min": low,
        "max": high,
        "mean": int(mean) if mean.is_integer() else mean,
        "median": percentile(0.5),
        "p5": percentile(0.05),
        "p95": percentile(0.95),
        "buckets": buckets,
    }
    return result
