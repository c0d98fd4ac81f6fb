"""How a Gemini API tuned model and its creation operation look at a given instant."""

from __future__ import annotations

import math

from tuneops.emulator.clock import format_time
from tuneops.emulator.errors import JsonObject
from tuneops.emulator.lifecycle import Phase, Timeline, observe, progress
from tuneops.emulator.protojson import render_message
from tuneops.emulator.schemas import TUNED_MODEL
from tuneops.emulator.store import JobRecord

_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta."
METADATA_TYPE = _TYPE + "CreateTunedModelMetadata"
MODEL_TYPE = _TYPE + "TunedModel"
FAILED_ERROR = {"code": 13, "message": "Tuning failed with an internal error."}

_STATES = {
    Phase.PENDING: "CREATING",
    Phase.RUNNING: "CREATING",
    Phase.CANCELLING: "CREATING",
    Phase.SUCCEEDED: "ACTIVE",
    Phase.FAILED: "FAILED",
    Phase.CANCELLED: "FAILED",
}


def model_state(record: JobRecord, now_us: int) -> str:
    """CREATING, ACTIVE or FAILED."""
    return _STATES[observe(record.timeline, now_us).phase]


def total_steps(examples: int, epochs: int, batch_size: int) -> int:
    """Training steps: every example once per epoch, `batch_size` examples a step."""
    return math.ceil(examples * epochs / batch_size)


def render_model(record: JobRecord, now_us: int) -> JsonObject:
    """The TunedModel JSON of `record` at `now_us`; training data is never shown."""
    seen = observe(record.timeline, now_us)
    model: JsonObject = {"name": record.name}
    model.update(render_message(record.resource, TUNED_MODEL, "v1beta"))
    model["state"] = _STATES[seen.phase]
    model["createTime"] = format_time(record.create_us)
    model["updateTime"] = format_time(seen.update_us)
    task: JsonObject = {}
    if seen.start_us is not None:
        task["startTime"] = format_time(seen.start_us)
    if seen.end_us is not None:
        task["completeTime"] = format_time(seen.end_us)
    snapshots = _snapshots(record, now_us)
    if snapshots:
        task["snapshots"] = snapshots
    task.update(model.pop("tuningTask", {}))
    model["tuningTask"] = task
    return model


def _completed(record: JobRecord, now_us: int) -> int:
    total: int = record.extra["totalSteps"]
    return min(total, math.floor(total * progress(record.timeline, now_us)))


def _snapshots(record: JobRecord, now_us: int) -> list[JsonObject]:
    done = _completed(record, now_us)
    total: int = record.extra["totalSteps"]
    timeline: Timeline = record.timeline
    seen = observe(timeline, now_us)
    if seen.start_us is None:
        return []
    # Steps are spread over the nominal duration, or over the actual run if it
    # finished early (forced).
    span = timeline.duration_us
    if seen.phase is Phase.SUCCEEDED and seen.end_us is not None:
        span = seen.end_us - seen.start_us
    examples: int = record.extra["exampleCount"]
    batch: int = record.extra["batchSize"]
    epochs: int = record.extra["epochCount"]
    start_loss: float = record.extra["startLoss"]
    result: list[JsonObject] = []
    for step in range(1, done + 1):
        loss = start_loss * math.exp(-2.5 * step / total) + 0.05
        result.append(
            {
                "step": step,
                "epoch": min(epochs, math.ceil(step * batch / examples)),
                "meanLoss": round(loss, 6),
                "computeTime": format_time(seen.start_us + span * step // total),
            }
        )
    return result


def render_operation(record: JobRecord, now_us: int) -> JsonObject:
    """The long-running operation that creates the model: progress, then its result."""
    total: int = record.extra["totalSteps"]
    done = _completed(record, now_us)
    metadata: JsonObject = {"@type": METADATA_TYPE, "totalSteps": total}
    if done:
        metadata["completedSteps"] = done
        metadata["completedPercent"] = round(100.0 * done / total, 4)
        metadata["snapshots"] = _snapshots(record, now_us)
    metadata["tunedModel"] = record.name
    operation: JsonObject = {"name": operation_name(record), "metadata": metadata}
    state = model_state(record, now_us)
    if state == "ACTIVE":
        operation["done"] = True
        operation["response"] = {"@type": MODEL_TYPE, **render_model(record, now_us)}
    elif state == "FAILED":
        operation["done"] = True
        operation["error"] = dict(record.extra.get("stopped") or FAILED_ERROR)
    return operation


def operation_name(record: JobRecord) -> str:
    """`tunedModels/{id}/operations/{op}`."""
    return f"{record.name}/operations/{record.extra['operation']}"
