"""The Gemini API `TunedModel` body built from a spec."""

from __future__ import annotations

from tuneops.backends.shared import identity as ident
from tuneops.backends.transport.errors import InvalidRequestError
from tuneops.backends.transport.http import JsonObject
from tuneops.specs.models import GeminiSpec, JobSpec


def build_body(job: JobSpec, identity: ident.Identity) -> JsonObject:
    """The `TunedModel` to POST for `job`, its description ending in `identity`'s marker."""
    spec = job.spec
    if not isinstance(spec, GeminiSpec):
        raise InvalidRequestError(
            f"spec {job.name!r} is for the {spec.backend.value} backend, not gemini"
        )
    task: JsonObject = {
        "trainingData": {
            "examples": {
                "examples": [
                    {"textInput": example.text_input, "output": example.output}
                    for example in job.examples
                ]
            }
        }
    }
    if spec.hyper_parameters is not None:
        hyper = spec.hyper_parameters.model_dump(mode="json", by_alias=True, exclude_none=True)
        if hyper:
            task["hyperparameters"] = hyper
    body: JsonObject = {
        "displayName": spec.display_name or job.name,
        "description": ident.with_marker(spec.description, identity),
        "baseModel": spec.base_model,
        "tuningTask": task,
    }
    for key, value in (("temperature", spec.temperature), ("topP", spec.top_p)):
        if value is not None:
            body[key] = value
    if spec.top_k is not None:
        body["topK"] = spec.top_k
    return body
