"""Checks on a Gemini API tuned model before it is created or patched.

Limits are those of the v1beta proto and the tuning guide (wire-format B.5, D);
the message texts are the emulator's own and name each field by its JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from tuneops.emulator.errors import ApiError, JsonObject, invalid, not_found
from tuneops.emulator.models import ModelTable

BACKEND = "gemini"

TUNED_MODEL_ID = re.compile(r"[a-z]([a-z0-9-]{0,38}[a-z0-9])?")
MAX_DISPLAY_NAME = 40
MAX_INPUT = 40_000
MAX_OUTPUT = 5_000


def validate_tuned_model_id(tuned_model_id: str) -> None:
    """A client-chosen id must be a short lowercase slug."""
    if not TUNED_MODEL_ID.fullmatch(tuned_model_id):
        raise invalid(
            f"tunedModelId {tuned_model_id!r} is invalid: it must be 1 to 40 characters of "
            "lowercase letters, digits and dashes, start with a letter and not end with a dash."
        )


def validate_settings(model: JsonObject) -> None:
    """The fields a patch may change: display name and sampling settings."""
    name = model.get("displayName", "")
    if len(name) > MAX_DISPLAY_NAME:
        raise invalid(
            f"displayName is {len(name)} characters long; the maximum is {MAX_DISPLAY_NAME}."
        )
    for key in ("temperature", "topP"):
        value = model.get(key)
        if value is not None and not 0.0 <= value <= 1.0:
            raise invalid(f"{key} must be between 0.0 and 1.0, got {value}.")
    top_k = model.get("topK")
    if top_k is not None and top_k < 0:
        raise invalid(f"topK must not be negative, got {top_k}.")


def validate_source(model: JsonObject) -> None:
    """Exactly one of `baseModel` and `tunedModelSource`, each in its form."""
    base, source = model.get("baseModel"), model.get("tunedModelSource")
    if base and source is not None:
        raise invalid("Only one of baseModel and tunedModelSource may be set.")
    if not base and source is None:
        raise invalid("baseModel or tunedModelSource is required.")
    if base and not base.startswith("models/"):
        raise invalid(f"baseModel {base!r} must name a model as models/{{model}}.")
    if source is not None and not source.get("tunedModel", "").startswith("tunedModels/"):
        raise invalid("tunedModelSource.tunedModel must name a model as tunedModels/{id}.")


def validate_tuned_model(model: JsonObject) -> list[tuple[str, str]]:
    """Raises a 400 for the first problem; returns the training examples."""
    validate_settings(model)
    validate_source(model)
    task = model.get("tuningTask")
    if task is None:
        raise invalid("tuningTask is required.")
    data = task.get("trainingData")
    if data is None:
        raise invalid("tuningTask.trainingData is required.")
    examples = data.get("examples", {}).get("examples", [])
    if not examples:
        raise invalid("tuningTask.trainingData.examples.examples must not be empty.")
    pairs: list[tuple[str, str]] = []
    for index, example in enumerate(examples):
        where = f"tuningTask.trainingData.examples.examples[{index}]"
        text, output = example.get("textInput", ""), example.get("output", "")
        if not text:
            raise invalid(f"{where}.textInput is required.")
        if not output:
            raise invalid(f"{where}.output is required.")
        if len(text) > MAX_INPUT:
            raise invalid(f"{where}.textInput is longer than {MAX_INPUT} characters.")
        if len(output) > MAX_OUTPUT:
            raise invalid(f"{where}.output is longer than {MAX_OUTPUT} characters.")
        pairs.append((text, output))
    _check_hyperparameters(task.get("hyperparameters", {}))
    return pairs


def _check_hyperparameters(params: JsonObject) -> None:
    where = "tuningTask.hyperparameters"
    for key in ("epochCount", "batchSize"):
        value = params.get(key)
        if value is not None and value < 1:
            raise invalid(f"{where}.{key} must be at least 1, got {value}.")
    for key in ("learningRate", "learningRateMultiplier"):
        value = params.get(key)
        if value is not None and not value > 0:
            raise invalid(f"{where}.{key} must be greater than 0, got {value}.")
    if "learningRate" in params and "learningRateMultiplier" in params:
        raise invalid(f"Only one of {where}.learningRate and .learningRateMultiplier may be set.")


def check_tunable(
    model: JsonObject, available: bool, models: ModelTable, retired: Mapping[str, date]
) -> None:
    """A 404 unless the Gemini API tunes the model a create names.

    Today it tunes none (ai.google.dev/gemini-api/docs/model-tuning); with
    `available` it tunes what the catalogue lists as tuned by the Gemini API,
    whatever its dates say, as it did until 2025, unless the control API retired
    it. A tuned model as the source stands for its base model, accepted before.
    """
    base = model.get("baseModel")
    if not base:
        if not available:
            raise not_tunable(model["tunedModelSource"]["tunedModel"])
        return
    found = models.find(base)
    offer = found.tuned_by(BACKEND) if found is not None else None
    if not available or found is None or offer is None or found.id in retired:
        raise not_tunable(base)


def not_tunable(name: str) -> ApiError:
    """How the Gemini API answers a model it does not serve for a method (its text
    for generateContent, recorded many times, with this method's name)."""
    return not_found(
        f"{name} is not found for API version v1beta, or is not supported for "
        "createTunedModel. Call ListModels to see the list of available models and their "
        "supported methods."
    )
