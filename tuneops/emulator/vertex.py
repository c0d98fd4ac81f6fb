"""Vertex AI tuningJobs (v1 and v1beta1): create, get, list, cancel, generateContent."""

from __future__ import annotations

import dataclasses
import re

from tuneops.emulator.checkpoints import checkpoint_endpoint, checkpoint_ids, tuning_spec
from tuneops.emulator.clock import format_time
from tuneops.emulator.errors import ApiError, JsonObject, failed_precondition, invalid, not_found
from tuneops.emulator.filters import JobFacts, compile_filter
from tuneops.emulator.generate import prompt_text, vertex_response
from tuneops.emulator.lifecycle import Phase, Timeline, observe
from tuneops.emulator.paging import PageSize, decode_token, take_page
from tuneops.emulator.protojson import ParseContext, parse_json_body, parse_message
from tuneops.emulator.routing import Call
from tuneops.emulator.schemas import CANCEL_REQUEST, TUNING_JOB
from tuneops.emulator.state import EmulatorState
from tuneops.emulator.store import JobRecord
from tuneops.emulator.tuning_data import count_content_tokens, read_dataset
from tuneops.emulator.vertex_validation import validate_tuning_job
from tuneops.emulator.vertex_view import data_stats, experiment_name, render_job

API = "vertex"

# Google does not document these for tuningJobs.list; they are the usual Vertex values.
# Larger page sizes are clamped to the maximum, as Google's list methods do.
PAGE_SIZE = PageSize(default=100, maximum=1000)

_PRE_TUNED = re.compile(r"projects/[^/]+/locations/[^/]+/models/(?P<id>[^/@]+)(?:@(?P<v>\d+))?")


def _parent(state: EmulatorState, call: Call) -> str:
    number = state.project_number(call.params["project"])
    return f"projects/{number}/locations/{call.params['location']}"


def _job_name(state: EmulatorState, call: Call) -> str:
    job_id = call.params["tuningJob"]
    if not job_id.isdigit():
        raise invalid(f"Invalid tuning job id {job_id!r}: tuning job ids are numbers.")
    return f"{_parent(state, call)}/tuningJobs/{job_id}"


def _missing(name: str) -> ApiError:
    return not_found(f'TuningJob "{name}" does not exist.')


def _load(state: EmulatorState, name: str) -> JobRecord:
    record = state.store.get(name)
    if record is None or record.api != API:
        raise _missing(name)
    return record


def create(state: EmulatorState, call: Call) -> JsonObject:
    """POST .../tuningJobs: validates the job and stores it as PENDING."""
    body = parse_json_body(call.request.body)
    job = parse_message(body, TUNING_JOB, "tuning_job", ParseContext(call.version))
    validate_tuning_job(job, state.models, state.today(), state.retired(), state.offered())
    parent = _parent(state, call)
    config = state.config
    with state.lock:
        now = state.now_us()
        _check_concurrency(state, parent, call.params["location"], now)
        seq = state.store.next_seq()
        name = f"{parent}/tuningJobs/{state.ids.number(seq, 'tuning-job')}"
        dataset = tuning_spec(job)["trainingDatasetUri"]
        method = "preference" if "preferenceOptimizationSpec" in job else "supervised"
        reading = read_dataset(state, dataset, method)
        fails = state.ids.fraction(seq, "outcome") < config.fail_rate
        fails = fails or reading.failure is not None
        timeline = Timeline.schedule(now, config.queue_seconds, config.job_seconds, fails)
        extra = {
            "model": _model_name(state, job, parent, seq),
            "experiment": experiment_name(parent, now),
            "dataStats": reading.stats or data_stats(name, dataset),
        }
        if reading.failure is not None:
            extra["failure"] = reading.failure
        endpoint = f"{parent}/endpoints/{state.ids.number(seq, 'endpoint')}"
        record = JobRecord(name, API, parent, seq, timeline, job, extra, endpoint)
        state.store.insert(record)
        return render_job(record, now, call.version)


def _check_concurrency(state: EmulatorState, parent: str, location: str, now: int) -> None:
    """Refuses a create while the parent already runs its limit of jobs.

    Pending and running jobs hold a slot; a cancelling one no longer does. The
    answer has the shape of a Google quota refusal (429 RESOURCE_EXHAUSTED with a
    google.rpc.QuotaFailure detail); its texts are the emulator's own.
    """
    limit = state.max_concurrent_jobs
    if limit is None:
        return
    active = 0
    for record in state.store.scan(API, parent, None):
        if record.timeline.cancel_us is None and not observe(record.timeline, now).phase.ended:
            active += 1
    if active < limit:
        return
    consumer = f"project_number:{parent.split('/')[1]}"
    raise ApiError(
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Concurrent tuning jobs' and limit "
        "'Concurrent tuning jobs per project per region' of service "
        f"'aiplatform.googleapis.com' for consumer '{consumer}'.",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                    {
                        "subject": consumer,
                        "description": f"The limit of {limit} concurrent tuning jobs in "
                        f"{location} is reached; a slot frees when a job ends.",
                    }
                ],
            }
        ],
    )


def _model_name(state: EmulatorState, job: JsonObject, parent: str, seq: int) -> str:
    # Continuous tuning adds a version to the model it starts from; a fresh tune
    # makes a new model at version 1.
    pre_tuned = job.get("preTunedModel")
    if pre_tuned is not None:
        found = _PRE_TUNED.fullmatch(pre_tuned["tunedModelName"])
        if found is not None:
            return f"{parent}/models/{found['id']}@{int(found['v'] or 1) + 1}"
    return f"{parent}/models/{state.ids.number(seq, 'model')}@1"


def get(state: EmulatorState, call: Call) -> JsonObject:
    """GET .../tuningJobs/{id}."""
    name = _job_name(state, call)
    with state.lock:
        return render_job(_load(state, name), state.now_us(), call.version)


def list_jobs(state: EmulatorState, call: Call) -> JsonObject:
    """GET .../tuningJobs: newest first, filtered, paginated."""
    parent = _parent(state, call)
    size = PAGE_SIZE.resolve(call.query_int("pageSize"))
    text = call.query("filter") or ""
    predicate = compile_filter(text)
    scope = f"{parent}\n{text}"
    after = decode_token(call.query("pageToken") or "", scope)
    with state.lock:
        now = state.now_us()

        def keep(record: JobRecord) -> JsonObject | None:
            seen = observe(record.timeline, now)
            facts = JobFacts(record.resource.get("labels", {}), seen.phase.value, record.create_us)
            return render_job(record, now, call.version) if predicate(facts) else None

        jobs, token = take_page(state.store.scan(API, parent, after), keep, size, scope)
    result: JsonObject = {}
    if jobs:
        result["tuningJobs"] = jobs
    if token:
        result["nextPageToken"] = token
    return result


def cancel(state: EmulatorState, call: Call) -> JsonObject:
    """POST .../tuningJobs/{id}:cancel: CANCELLING now, CANCELLED after cancel_seconds."""
    parse_message(
        parse_json_body(call.request.body), CANCEL_REQUEST, "", ParseContext(call.version)
    )
    name = _job_name(state, call)
    with state.lock:
        record = _load(state, name)
        now = state.now_us()
        phase = observe(record.timeline, now).phase
        if phase.ended:
            raise failed_precondition(
                f"TuningJob {name} is in state {phase.value} and cannot be cancelled."
            )
        if phase is not Phase.CANCELLING:
            timeline = record.timeline.cancelled_at(now, state.config.cancel_seconds)
            state.store.update(dataclasses.replace(record, timeline=timeline))
    return {}


def generate_content(state: EmulatorState, call: Call) -> JsonObject:
    """POST .../endpoints/{id}:generateContent on the endpoint of a succeeded job."""
    body = parse_json_body(call.request.body)
    prompt = prompt_text(
        body,
        missing_message="Unable to submit request because it has an empty contents field. "
        "Add a value and try again.",
    )
    number = state.project_number(call.params["project"])
    endpoint = f"projects/{number}/locations/{call.params['location']}/endpoints/"
    endpoint += call.params["endpoint"]
    with state.lock:
        now = state.now_us()
        record = state.store.by_endpoint(endpoint) or _by_checkpoint_endpoint(state, endpoint)
        if record is None or observe(record.timeline, now).phase is not Phase.SUCCEEDED:
            raise not_found(f"Endpoint {endpoint} not found.")
        model = record.extra["model"]
    text = f"tuned answer from {model} to: {prompt}"
    return vertex_response(text, prompt, model, format_time(now))


def _by_checkpoint_endpoint(state: EmulatorState, endpoint: str) -> JobRecord | None:
    """The job one of whose earlier checkpoints is deployed to `endpoint` (a scan:
    only a miss on the jobs' own endpoints comes here)."""
    for record in state.store.every_job():
        if record.api != API or not record.endpoint or not endpoint.startswith(record.endpoint):
            continue
        if any(checkpoint_endpoint(record, c) == endpoint for c in checkpoint_ids(record)):
            return record
    return None


def count_tokens(state: EmulatorState, call: Call) -> JsonObject:
    """POST .../publishers/google/models/{model}:countTokens (deterministic counts)."""
    body = parse_json_body(call.request.body)
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise invalid("Unable to submit request because it has an empty contents field.")
    system = body.get("systemInstruction")
    tokens, characters = count_content_tokens([*([system] if system else []), *contents])
    return {"totalTokens": tokens, "totalBillableCharacters": characters}
