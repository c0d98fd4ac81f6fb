"""The control API under /_emulator/: clock, forced outcomes, retired models, faults,
reset, counts.

Each operation is a plain function of the state and a JSON body, so the HTTP
routes and the in-process `EmulatorHandle` share one implementation.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable

from tuneops.emulator.clock import format_time
from tuneops.emulator.errors import JsonObject, failed_precondition, invalid, not_found
from tuneops.emulator.faults import parse_fault
from tuneops.emulator.gemini_view import render_model
from tuneops.emulator.lifecycle import Outcome, Phase, observe
from tuneops.emulator.protojson import parse_json_body
from tuneops.emulator.routing import Call, Handler
from tuneops.emulator.state import EmulatorState
from tuneops.emulator.store import JobRecord
from tuneops.emulator.vertex_view import render_job

_VERTEX_JOB = re.compile(r"projects/([^/]+)/locations/([^/]+)/tuningJobs/(\d+)")
_GEMINI_MODEL = re.compile(r"tunedModels/[^/:]+")


def clock(state: EmulatorState) -> JsonObject:
    """The virtual time."""
    return {"now": format_time(state.now_us())}


_LAST_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z


def advance_clock(state: EmulatorState, body: JsonObject) -> JsonObject:
    """Moves the virtual clock forward by `seconds`."""
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise invalid('clock:advance needs a number of seconds: {"seconds": N}.')
    if not math.isfinite(seconds) or seconds < 0:
        raise invalid(f"seconds must be a finite number >= 0, got {seconds}.")
    if state.now_us() / 1_000_000 + seconds > _LAST_SECOND:
        # RFC 3339 timestamps end with the year 9999; beyond, no job could be rendered.
        raise invalid("seconds would move the clock past the year 9999.")
    return {"now": format_time(state.advance(seconds))}


def force_job(state: EmulatorState, body: JsonObject) -> JsonObject:
    """Makes a job succeed or fail now, or stall until forced again; returns the job."""
    name, outcome_text = body.get("name"), body.get("outcome")
    if not isinstance(name, str):
        raise invalid('jobs:force needs the job\'s resource name in "name".')
    try:
        outcome = Outcome(outcome_text)
    except ValueError:
        raise invalid(f"outcome must be succeed, fail or stall; got {outcome_text!r}.") from None
    vertex = _VERTEX_JOB.fullmatch(name)
    if vertex is not None:
        project, location, job_id = vertex.groups()
        number = state.project_number(project)
        name = f"projects/{number}/locations/{location}/tuningJobs/{job_id}"
    elif not _GEMINI_MODEL.fullmatch(name):
        raise invalid(f"{name!r} is neither a tuning job nor a tuned model name.")
    with state.lock:
        record = state.store.get(name)
        if record is None:
            raise not_found(f"No job or tuned model named {name}.")
        now = state.now_us()
        phase = observe(record.timeline, now).phase
        if phase.ended or record.timeline.cancel_us is not None:
            raise failed_precondition(f"{name} is in state {phase.value}; it cannot be forced.")
        record = dataclasses.replace(record, timeline=record.timeline.forced_at(now, outcome))
        state.store.update(record)
        if vertex is not None:
            return render_job(record, now, "v1")
        return render_model(record, now)


# The google.rpc code of a job stopped because its base model was retired: the
# service's state no longer allows it (FAILED_PRECONDITION). The emulator's choice.
_RETIRED_CODE = 9


def retire_model(state: EmulatorState, body: JsonObject) -> JsonObject:
    """Retires a catalogue model now, as Google may before the catalogue says.

    New jobs on it are refused from then on, on both APIs; its pending and
    running jobs fail with an error naming the model; jobs that ended keep
    their tuned models and endpoints. Reset forgets it.
    """
    name = body.get("model")
    if not isinstance(name, str) or not name:
        raise invalid('models:retire needs the model\'s id in "model".')
    model = state.models.find(name)
    if model is None:
        raise not_found(f"Model {name} is not in the emulator's model catalogue.")
    with state.lock:
        now, day = state.now_us(), state.today()
        state.retire(model.id, day)
        since = state.retired()[model.id]
        message = (
            f"Base model {model.id} was retired on {since.isoformat()}; the tuning job "
            "stopped before it finished."
        )
        failed: list[str] = []
        for record in state.store.every_job():
            found = state.models.find(_base_model(record))
            phase = observe(record.timeline, now).phase
            if found is not model or phase not in (Phase.PENDING, Phase.RUNNING):
                continue
            stopped = dataclasses.replace(
                record,
                timeline=record.timeline.forced_at(now, Outcome.FAIL),
                extra={**record.extra, "stopped": {"code": _RETIRED_CODE, "message": message}},
            )
            state.store.update(stopped)
            failed.append(record.name)
    result: JsonObject = {"model": model.id, "retiredOn": since.isoformat()}
    if failed:
        result["failedJobs"] = failed
    return result


_METHODS = ("supervised", "preference")


def offer_method(state: EmulatorState, body: JsonObject) -> JsonObject:
    """Lets Vertex jobs tune a catalogue model by another method, as Google may
    before the catalogue says (the packaged catalogue lists preference tuning on
    no model Vertex AI still tunes, read 2026-12-06). Reset forgets it."""
    name, method = body.get("model"), body.get("method")
    if not isinstance(name, str) or not name:
        raise invalid('models:offer needs the model\'s id in "model".')
    if method not in _METHODS:
        raise invalid(f"method must be one of {', '.join(_METHODS)}; got {method!r}.")
    model = state.models.find(name)
    if model is None or model.tuned_by("vertex") is None:
        raise not_found(f"Model {name} is not tuned on Vertex AI in the emulator's catalogue.")
    state.offer(model.id, str(method))
    return {"model": model.id, "methods": sorted(state.offered()[model.id])}


def set_evaluation(state: EmulatorState, body: JsonObject) -> JsonObject:
    """Sets the evaluation scores a Vertex job reports, per checkpoint ("*": every
    checkpoint), e.g. {"name": JOB, "scores": {"*": {"bleu": 0.4}, "2": {"bleu": 0.6}}};
    scores set earlier for other checkpoints or metrics are kept. Returns the job."""
    name, given = body.get("name"), body.get("scores")
    vertex = _VERTEX_JOB.fullmatch(name) if isinstance(name, str) else None
    if vertex is None:
        raise invalid('jobs:evaluate needs a tuning job\'s resource name in "name".')
    if not isinstance(given, dict) or not all(
        isinstance(values, dict)
        and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in values.values()
        )
        for values in given.values()
    ):
        raise invalid('scores must map checkpoint ids (or "*") to {metric: number}.')
    project, location, job_id = vertex.groups()
    number = state.project_number(project)
    name = f"projects/{number}/locations/{location}/tuningJobs/{job_id}"
    with state.lock:
        record = state.store.get(name)
        if record is None:
            raise not_found(f"No tuning job named {name}.")
        chosen = dict(record.extra.get("evaluation") or {})
        for checkpoint, values in given.items():
            chosen[str(checkpoint)] = {**chosen.get(str(checkpoint), {}), **values}
        record = dataclasses.replace(record, extra={**record.extra, "evaluation": chosen})
        state.store.update(record)
        return render_job(record, state.now_us(), "v1beta1")


def _base_model(record: JobRecord) -> str:
    # A Gemini model tuned from another carries the base model in its source.
    resource = record.resource
    base = resource.get("baseModel") or resource.get("tunedModelSource", {}).get("baseModel")
    return str(base or "")


def add_fault(state: EmulatorState, body: JsonObject) -> JsonObject:
    """Queues a fault; answers the pending faults."""
    state.faults.add(parse_fault(body))
    return {"faults": state.faults.pending()}


def faults(state: EmulatorState) -> JsonObject:
    """The pending faults."""
    return {"faults": state.faults.pending()}


def clear_faults(state: EmulatorState) -> JsonObject:
    """Drops every pending fault."""
    state.faults.clear()
    return {}


def reset(state: EmulatorState) -> JsonObject:
    """Forgets all jobs, projects, faults, request counts, clock advances and retired
    models."""
    state.reset()
    return {}


def limits(state: EmulatorState) -> JsonObject:
    """The limits the service side enforces now."""
    with state.lock:
        return {"maxConcurrentJobs": state.max_concurrent_jobs}


def set_limits(state: EmulatorState, body: JsonObject) -> JsonObject:
    """Changes `maxConcurrentJobs` (a number >= 1, or null for none); answers the limits."""
    if "maxConcurrentJobs" not in body or set(body) != {"maxConcurrentJobs"}:
        raise invalid('limits takes {"maxConcurrentJobs": N or null}.')
    value = body["maxConcurrentJobs"]
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise invalid(f"maxConcurrentJobs must be a whole number >= 1 or null, got {value!r}.")
    with state.lock:
        state.max_concurrent_jobs = value
    return limits(state)


def request_counts(state: EmulatorState) -> JsonObject:
    """API requests per `METHOD /version/template` since the last reset."""
    return {"counts": state.counts.snapshot()}


def clear_request_counts(state: EmulatorState) -> JsonObject:
    """Starts counting requests from zero."""
    state.counts.clear()
    return {}


def projects(state: EmulatorState) -> JsonObject:
    """The project id -> number mapping used in resource names."""
    return {"projects": state.projects()}


def _with_body(operation: Callable[[EmulatorState, JsonObject], JsonObject]) -> Handler:
    def handler(state: EmulatorState, call: Call) -> JsonObject:
        return operation(state, parse_json_body(call.request.body))

    return handler


def _without_body(operation: Callable[[EmulatorState], JsonObject]) -> Handler:
    def handler(state: EmulatorState, call: Call) -> JsonObject:
        return operation(state)

    return handler


# (method, path, handler) of every control route.
ROUTES = (
    ("GET", "/_emulator/clock", _without_body(clock)),
    ("POST", "/_emulator/clock:advance", _with_body(advance_clock)),
    ("POST", "/_emulator/jobs:force", _with_body(force_job)),
    ("POST", "/_emulator/models:retire", _with_body(retire_model)),
    ("POST", "/_emulator/models:offer", _with_body(offer_method)),
    ("POST", "/_emulator/jobs:evaluate", _with_body(set_evaluation)),
    ("GET", "/_emulator/faults", _without_body(faults)),
    ("POST", "/_emulator/faults", _with_body(add_fault)),
    ("DELETE", "/_emulator/faults", _without_body(clear_faults)),
    ("POST", "/_emulator/reset", _without_body(reset)),
    ("GET", "/_emulator/requests", _without_body(request_counts)),
    ("DELETE", "/_emulator/requests", _without_body(clear_request_counts)),
    ("GET", "/_emulator/projects", _without_body(projects)),
    ("GET", "/_emulator/limits", _without_body(limits)),
    ("POST", "/_emulator/limits", _with_body(set_limits)),
)
