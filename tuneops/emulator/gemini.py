"""Gemini API tunedModels (v1beta; generateContent and operations also under v1)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from tuneops.emulator.config import GEMINI_TUNING_AVAILABLE
from tuneops.emulator.errors import ApiError, JsonObject, failed_precondition, invalid, not_found
from tuneops.emulator.gemini_validation import (
    check_tunable,
    validate_settings,
    validate_source,
    validate_tuned_model,
    validate_tuned_model_id,
)
from tuneops.emulator.gemini_view import (
    model_state,
    operation_name,
    render_model,
    render_operation,
    total_steps,
)
from tuneops.emulator.generate import gemini_response, prompt_text, untuned_answer
from tuneops.emulator.lifecycle import Timeline
from tuneops.emulator.paging import PageSize, decode_token, take_page
from tuneops.emulator.protojson import ParseContext, parse_json_body, parse_message, snake_case
from tuneops.emulator.routing import Call
from tuneops.emulator.schemas import TUNED_MODEL
from tuneops.emulator.state import EmulatorState
from tuneops.emulator.store import JobRecord

API = "gemini"
PAGE_SIZE = PageSize(default=10, maximum=1000)  # from ListTunedModelsRequest in the proto
MUTABLE = ("displayName", "description", "temperature", "topP", "topK", "readerProjectNumbers")

# Sampling defaults of the base tuning model (gemini-1.5-flash-001-tuning), filled in
# when the client leaves them out, as the service reports them.
SAMPLING_DEFAULTS = {"temperature": 1.0, "topP": 0.95, "topK": 64}
EPOCHS_DEFAULT, BATCH_DEFAULT, LEARNING_RATE_DEFAULT = 5, 4, 0.001

_CONTEXT = ParseContext("v1beta")


def _name(call: Call) -> str:
    return f"tunedModels/{call.params['tunedModel']}"


def _missing(name: str) -> ApiError:
    # The real text, recorded after a delete.
    return not_found(f"Tuned model {name} does not exist.")


def _load(state: EmulatorState, name: str) -> JobRecord:
    record = state.store.get(name)
    if record is None or record.api != API:
        raise _missing(name)
    return record


def _generated_id(display_name: str, suffix: str) -> str:
    # Like the service: the display name's words joined by dashes, then a random suffix.
    slug = "-".join(re.findall(r"[a-z0-9]+", display_name.lower())) or "tuned-model"
    if not slug[0].isalpha():
        slug = "model-" + slug
    return slug[: 39 - len(suffix)].rstrip("-") + "-" + suffix


def create(state: EmulatorState, call: Call) -> JsonObject:
    """POST /v1beta/tunedModels: starts tuning and answers with the operation."""
    tuned_model_id = call.query("tunedModelId")
    if tuned_model_id is not None:
        validate_tuned_model_id(tuned_model_id)
    model = parse_message(parse_json_body(call.request.body), TUNED_MODEL, "tuned_model", _CONTEXT)
    # The model decides first: a method it does not serve is refused whatever the data.
    validate_source(model)
    available = state.config.gemini_tuning == GEMINI_TUNING_AVAILABLE
    check_tunable(model, available, state.models, state.retired())
    examples = validate_tuned_model(model)
    params = model["tuningTask"].setdefault("hyperparameters", {})
    params.setdefault("epochCount", EPOCHS_DEFAULT)
    params.setdefault("batchSize", BATCH_DEFAULT)
    if "learningRateMultiplier" not in params:
        params.setdefault("learningRate", LEARNING_RATE_DEFAULT)
    for key, value in SAMPLING_DEFAULTS.items():
        model.setdefault(key, value)
    config = state.config
    with state.lock:
        _fill_source(state, model)
        now = state.now_us()
        seq = state.store.next_seq()
        suffix = state.ids.letters(seq, "tuned-model")
        name = (
            f"tunedModels/{tuned_model_id or _generated_id(model.get('displayName', ''), suffix)}"
        )
        if state.store.get(name) is not None:
            raise ApiError("ALREADY_EXISTS", f"Tuned model {name} already exists.")
        fails = state.ids.fraction(seq, "outcome") < config.fail_rate
        extra = {
            "operation": state.ids.letters(seq, "operation"),
            "exampleCount": len(examples),
            "epochCount": params["epochCount"],
            "batchSize": params["batchSize"],
            "totalSteps": total_steps(len(examples), params["epochCount"], params["batchSize"]),
            "startLoss": round(1.5 + 2.0 * state.ids.fraction(seq, "loss"), 6),
        }
        timeline = Timeline.schedule(now, config.queue_seconds, config.job_seconds, fails)
        record = JobRecord(name, API, "", seq, timeline, model, extra)
        state.store.insert(record)
        return render_operation(record, now)


def _fill_source(state: EmulatorState, model: JsonObject) -> None:
    # A model tuned from another tuned model inherits that model's base model.
    source = model.get("tunedModelSource")
    if source is None:
        return
    origin = _load(state, source["tunedModel"])
    base = origin.resource.get("baseModel") or origin.resource.get("tunedModelSource", {}).get(
        "baseModel", ""
    )
    source["baseModel"] = base


def get(state: EmulatorState, call: Call) -> JsonObject:
    """GET /v1beta/tunedModels/{id}."""
    with state.lock:
        return render_model(_load(state, _name(call)), state.now_us())


def _matcher(text: str) -> Callable[[JobRecord], bool]:
    """The ListTunedModels filter: ownership terms and free-text words (all must match)."""
    words: list[str] = []
    shared_only = False
    for term in text.split():
        if term in ("owner:me", "writers:me", "readers:me"):
            continue  # the caller owns every model in the emulator
        if term == "readers:everyone":
            shared_only = True  # the emulator never shares models with everyone
        elif ":" in term or "=" in term:
            raise invalid(f"Unsupported filter term {term!r}.")
        else:
            words.append(term.lower())

    def matches(record: JobRecord) -> bool:
        if shared_only:
            return False
        haystack = " ".join(
            str(record.resource.get(k, "")) for k in ("displayName", "description")
        ).lower()
        return all(word in haystack for word in words)

    return matches


def list_models(state: EmulatorState, call: Call) -> JsonObject:
    """GET /v1beta/tunedModels: newest first, paginated."""
    size = PAGE_SIZE.resolve(call.query_int("pageSize"))
    text = call.query("filter") or ""
    matches = _matcher(text)
    scope = f"tunedModels\n{text}"
    after = decode_token(call.query("pageToken") or "", scope)
    with state.lock:
        now = state.now_us()

        def keep(record: JobRecord) -> JsonObject | None:
            return render_model(record, now) if matches(record) else None

        models, token = take_page(state.store.scan(API, "", after), keep, size, scope)
    result: JsonObject = {}
    if models:
        result["tunedModels"] = models
    if token:
        result["nextPageToken"] = token
    return result


def patch(state: EmulatorState, call: Call) -> JsonObject:
    """PATCH /v1beta/tunedModels/{id}: display name, description and sampling settings.

    With `updateMask` exactly those fields change (an absent one is cleared);
    without it, every mutable field present in the body changes.
    """
    body = parse_message(parse_json_body(call.request.body), TUNED_MODEL, "tuned_model", _CONTEXT)
    mask = call.query("updateMask")
    if mask:
        paths = [_camel(path.strip()) for path in mask.split(",") if path.strip()]
        for path in paths:
            if path not in MUTABLE:
                raise invalid(
                    f"updateMask names {snake_case(path)!r}, which cannot be updated; "
                    f"updatable: {', '.join(snake_case(m) for m in MUTABLE)}."
                )
    else:
        paths = [key for key in MUTABLE if key in body]
    validate_settings(body)
    with state.lock:
        record = _load(state, _name(call))
        now = state.now_us()
        resource = dict(record.resource)
        for path in paths:
            if path in body:
                resource[path] = body[path]
            else:
                resource.pop(path, None)
        updated = dataclasses.replace(
            record, resource=resource, timeline=record.timeline.touched_at(now)
        )
        state.store.update(updated)
        return render_model(updated, now)


def _camel(path: str) -> str:
    head, *rest = path.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def delete(state: EmulatorState, call: Call) -> JsonObject:
    """DELETE /v1beta/tunedModels/{id}: answers google.protobuf.Empty."""
    name = _name(call)
    with state.lock:
        _load(state, name)
        state.store.delete(name)
    return {}


def get_operation(state: EmulatorState, call: Call) -> JsonObject:
    """GET /{v}/tunedModels/{id}/operations/{op}: progress, then done."""
    name = f"{_name(call)}/operations/{call.params['operation']}"
    with state.lock:
        record = state.store.get(_name(call))
        if record is None or record.api != API or operation_name(record) != name:
            raise not_found(f"Operation {name} does not exist.")
        return render_operation(record, state.now_us())


def list_operations(state: EmulatorState, call: Call) -> JsonObject:
    """GET /{v}/tunedModels/{id}/operations: the one creation operation."""
    with state.lock:
        record = _load(state, _name(call))
        return {"operations": [render_operation(record, state.now_us())]}


def generate_content(state: EmulatorState, call: Call) -> JsonObject:
    """POST /{v}/tunedModels/{id}:generateContent.

    A prompt equal to a training input gets that example's output; any other
    prompt gets `untuned answer to: <prompt>`.
    """
    body = parse_json_body(call.request.body)
    prompt = prompt_text(
        body, missing_message="* GenerateContentRequest.contents: contents is not specified\n"
    )
    name = _name(call)
    with state.lock:
        record = _load(state, name)
        model_now = model_state(record, state.now_us())
        if model_now != "ACTIVE":
            raise failed_precondition(f"Tuned model {name} is not ready: its state is {model_now}.")
        examples = record.resource["tuningTask"]["trainingData"]["examples"]["examples"]
    for example in examples:
        if example.get("textInput") == prompt:
            return gemini_response(example.get("output", ""))
    return gemini_response(untuned_answer(prompt))
