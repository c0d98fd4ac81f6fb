"""Checks on a Vertex AI tuning job before it is created.

Each failure is a 400 INVALID_ARGUMENT whose message names the field by its JSON
path. The real service's texts are known only for the adapter size (recorded);
the others are the emulator's own wording. What a base model accepts comes
from the model catalogue (`models.py`): an unknown or retired base model is
refused before anything else is looked at, as nothing else can be judged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from tuneops.emulator.errors import ApiError, JsonObject, invalid
from tuneops.emulator.models import ModelTable, Offer
from tuneops.emulator.schemas import OTHER_TUNING_SPECS

BACKEND = "vertex"

MAX_LABELS = 64
MAX_LABEL_LENGTH = 64
MAX_DISPLAY_NAME = 128

_GCS_URI = re.compile(r"gs://[a-z0-9][a-z0-9._-]*/\S+")
_DATASET = re.compile(r"projects/[^/]+/locations/[^/]+/datasets/[^/]+")
_TUNED_MODEL = re.compile(r"projects/[^/]+/locations/[^/]+/models/[^/@]+(@[^/]+)?")
_KMS_KEY = re.compile(r"projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+")


# The tuning spec of each method the emulator emulates, and the method's name.
METHODS = {"supervisedTuningSpec": "supervised", "preferenceOptimizationSpec": "preference"}


def validate_tuning_job(
    job: JsonObject,
    models: ModelTable,
    today: date,
    retired: Mapping[str, date],
    offered: Mapping[str, frozenset[str]] | None = None,
) -> None:
    """Raises a 400 for the first problem found in a parsed TuningJob.

    `today` is the emulator's day, `retired` the models retired through the
    control API, by catalogue id, and `offered` the methods the control API
    added to a model beyond what the catalogue lists.
    """
    _check_source(job)
    other = [name for name in OTHER_TUNING_SPECS if name in job]
    if other:
        raise ApiError(
            "UNIMPLEMENTED",
            "The tuneops emulator emulates supervisedTuningSpec and "
            f"preferenceOptimizationSpec only, not {other[0]}.",
        )
    given = [key for key in METHODS if key in job]
    if len(given) > 1:
        raise invalid("Only one of supervisedTuningSpec and preferenceOptimizationSpec may be set.")
    if not given:
        raise invalid("supervisedTuningSpec is required.")
    key = given[0]
    base = job.get("baseModel")
    # Continuous tuning names a tuned model, whose base the emulator does not track.
    offer = (
        check_base_model(base, models, today, retired, METHODS[key], offered or {})
        if base
        else None
    )
    spec = job[key]
    _check_dataset(spec, key, "trainingDatasetUri", required=True)
    _check_dataset(spec, key, "validationDatasetUri", required=False)
    _check_hyper_parameters(spec.get("hyperParameters", {}), base or "", offer, key)
    if "evaluationConfig" in spec:
        _check_evaluation(spec["evaluationConfig"], key)
    _check_labels(job.get("labels", {}))
    name = job.get("tunedModelDisplayName", "")
    if len(name) > MAX_DISPLAY_NAME:
        raise invalid(
            f"tunedModelDisplayName is {len(name)} characters long; "
            f"the maximum is {MAX_DISPLAY_NAME}."
        )
    kms = job.get("encryptionSpec", {}).get("kmsKeyName")
    if kms is not None and not _KMS_KEY.fullmatch(kms):
        raise invalid(
            f"encryptionSpec.kmsKeyName {kms!r} is not of the form "
            "projects/{project}/locations/{location}/keyRings/{ring}/cryptoKeys/{key}."
        )


def _check_source(job: JsonObject) -> None:
    base, pre_tuned = job.get("baseModel"), job.get("preTunedModel")
    if base and pre_tuned is not None:
        raise invalid("Only one of baseModel and preTunedModel may be set.")
    if not base and pre_tuned is None:
        raise invalid("baseModel or preTunedModel is required.")
    if pre_tuned is not None:
        name = pre_tuned.get("tunedModelName", "")
        if not name:
            raise invalid("preTunedModel.tunedModelName is required.")
        if not _TUNED_MODEL.fullmatch(name):
            raise invalid(
                f"preTunedModel.tunedModelName {name!r} is not of the form "
                "projects/{project}/locations/{location}/models/{model}[@{version}]."
            )


def check_base_model(
    base_model: str,
    models: ModelTable,
    today: date,
    retired: Mapping[str, date],
    method: str = "supervised",
    offered: Mapping[str, frozenset[str]] | None = None,
) -> Offer:
    """What Vertex accepts for `base_model` tuned by `method`; a 400 if it does not
    tune it that way (any more)."""
    model = models.find(base_model)
    offer = model.tuned_by(BACKEND) if model is not None else None
    if model is None or offer is None:
        raise invalid(f"Base model {base_model} is not supported for tuning.")
    if method not in offer.methods and method not in (offered or {}).get(model.id, ()):
        # The emulator's wording: the service's text for this refusal is not on record.
        raise invalid(f"Base model {base_model} is not supported for {method} tuning.")
    since = model.retired_since(offer, today, retired)
    if since is not None:
        raise invalid(
            f"Base model {base_model} was retired on {since.isoformat()} and can no longer "
            "be tuned."
        )
    return offer


def _check_dataset(spec: JsonObject, method: str, key: str, *, required: bool) -> None:
    uri = spec.get(key, "")
    if not uri:
        if required:
            raise invalid(f"{method}.{key} is required.")
        return
    if not (_GCS_URI.fullmatch(uri) or _DATASET.fullmatch(uri)):
        raise invalid(
            f"{method}.{key} {uri!r} must be a gs:// URI of a JSONL file or a "
            "dataset resource name projects/{project}/locations/{location}/datasets/{id}."
        )


# The metric specs the emulator can compute, in camelCase and as the SDK sends them.
_METRIC_SPECS = frozenset(
    {"bleuSpec", "exactMatchSpec", "rougeSpec", "bleu_spec", "exact_match_spec", "rouge_spec"}
)


def _check_evaluation(config: Any, method: str) -> None:
    where = f"{method}.evaluationConfig"
    if not isinstance(config, dict):
        raise invalid(f"{where} must be an object.")
    metrics = config.get("metrics")
    if not isinstance(metrics, list) or not metrics:
        raise invalid(f"{where}.metrics must name at least one metric.")
    for index, metric in enumerate(metrics):
        if not isinstance(metric, dict) or not _METRIC_SPECS & set(metric):
            raise invalid(
                f"{where}.metrics[{index}] is not a metric the tuneops emulator computes "
                "(bleuSpec, exactMatchSpec, rougeSpec)."
            )
    output = config.get("outputConfig") or config.get("output_config") or {}
    destination = output.get("gcsDestination") or output.get("gcs_destination") or {}
    prefix = destination.get("outputUriPrefix") or destination.get("output_uri_prefix") or ""
    if not isinstance(prefix, str) or not prefix.startswith("gs://"):
        raise invalid(f"{where}.outputConfig.gcsDestination.outputUriPrefix must be a gs:// URI.")
    if "autoraterConfig" in config:
        _check_autorater(config["autoraterConfig"], f"{where}.autoraterConfig")


# Read 2026-12-06, the REST reference of AutoraterConfig
# (https://docs.cloud.google.com/gemini-enterprise-agent-platform/reference/rest/v1beta1/AutoraterConfig):
# samplingCount is 1 to 32; autoraterModel names a publisher model or a tuned
# autorater's endpoint. The wording is the emulator's: the service's is not on record.
MIN_SAMPLING_COUNT, MAX_SAMPLING_COUNT = 1, 32
_AUTORATER_MODEL = re.compile(
    r"projects/[^/]+/locations/[^/]+/(publishers/[^/]+/models/[^/]+|endpoints/[^/]+)"
)


def _check_autorater(autorater: JsonObject, where: str) -> None:
    count = autorater.get("samplingCount")
    if count is not None and not MIN_SAMPLING_COUNT <= count <= MAX_SAMPLING_COUNT:
        raise invalid(
            f"{where}.samplingCount must be between {MIN_SAMPLING_COUNT} and "
            f"{MAX_SAMPLING_COUNT}, got {count}."
        )
    model = autorater.get("autoraterModel")
    if model and not _AUTORATER_MODEL.fullmatch(model):
        raise invalid(
            f"{where}.autoraterModel {model!r} is not of the form "
            "projects/{project}/locations/{location}/publishers/{publisher}/models/{model} "
            "or projects/{project}/locations/{location}/endpoints/{endpoint}."
        )


def _check_hyper_parameters(
    params: JsonObject, base_model: str, offer: Offer | None, method: str
) -> None:
    where = f"{method}.hyperParameters"
    beta = params.get("beta")
    if beta is not None and not beta >= 0:
        raise invalid(f"{where}.beta must be at least 0, got {beta}.")
    epochs = params.get("epochCount")
    if epochs is not None and epochs < 1:
        raise invalid(f"{where}.epochCount must be at least 1, got {epochs}.")
    for key in ("learningRateMultiplier", "learningRate"):
        value = params.get(key)
        if value is not None and not value > 0:
            raise invalid(f"{where}.{key} must be greater than 0, got {value}.")
    if "learningRateMultiplier" in params and "learningRate" in params:
        raise invalid(f"Only one of {where}.learningRate and .learningRateMultiplier may be set.")
    batch = params.get("batchSize")
    if batch is not None and batch < 1:
        raise invalid(f"{where}.batchSize must be at least 1, got {batch}.")
    if offer is None:
        return
    size = params.get("adapterSize", "ADAPTER_SIZE_UNSPECIFIED")
    allowed = offer.adapter_sizes  # empty: the catalogue records no limit
    if size != "ADAPTER_SIZE_UNSPECIFIED" and allowed and size not in allowed:
        raise invalid("The adapter size is not supported for this base model.")
    for key, bounds in offer.ranges.items():
        value = params.get(key)
        if value is not None and not bounds.contains(value):
            raise invalid(
                f"{where}.{key} {value:g} is out of range for base model {base_model}: "
                f"allowed {bounds.text()}."
            )


def _label_text_ok(text: str) -> bool:
    # Lowercase letters (international ones too), digits, underscores and dashes.
    return all(ch.isdigit() or ch in "_-" or (ch.isalpha() and not ch.isupper()) for ch in text)


def _check_labels(labels: dict[str, Any]) -> None:
    if len(labels) > MAX_LABELS:
        raise invalid(f"labels has {len(labels)} entries; the maximum is {MAX_LABELS}.")
    for key, value in labels.items():
        if not key or len(key) > MAX_LABEL_LENGTH:
            raise invalid(f"labels key {key!r} must be 1 to {MAX_LABEL_LENGTH} characters long.")
        if not (key[0].isalpha() and not key[0].isupper()) or not _label_text_ok(key):
            raise invalid(
                f"labels key {key!r} must start with a lowercase letter and contain only "
                "lowercase letters, digits, underscores and dashes."
            )
        if len(value) > MAX_LABEL_LENGTH:
            raise invalid(
                f"labels value {value!r} (key {key!r}) is longer than {MAX_LABEL_LENGTH} "
                "characters."
            )
        if not _label_text_ok(value):
            raise invalid(
                f"labels value {value!r} (key {key!r}) may contain only lowercase letters, "
                "digits, underscores and dashes."
            )
