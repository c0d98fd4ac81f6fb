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


def validate_tuning_job(
    job: JsonObject, models: ModelTable, today: date, retired: Mapping[str, date]
) -> None:
    """Raises a 400 for the first problem found in a parsed TuningJob.

    `today` is the emulator's day and `retired` the models retired through the
    control API, by catalogue id.
    """
    _check_source(job)
    other = [name for name in OTHER_TUNING_SPECS if name in job]
    if other:
        raise ApiError(
            "UNIMPLEMENTED",
            f"The tuneops emulator emulates supervisedTuningSpec only, not {other[0]}.",
        )
    base = job.get("baseModel")
    # Continuous tuning names a tuned model, whose base the emulator does not track.
    offer = check_base_model(base, models, today, retired) if base else None
    spec = job.get("supervisedTuningSpec")
    if spec is None:
        raise invalid("supervisedTuningSpec is required.")
    _check_dataset(spec, "trainingDatasetUri", required=True)
    _check_dataset(spec, "validationDatasetUri", required=False)
    _check_hyper_parameters(spec.get("hyperParameters", {}), base or "", offer)
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
    base_model: str, models: ModelTable, today: date, retired: Mapping[str, date]
) -> Offer:
    """What Vertex accepts for `base_model`; a 400 if it does not tune it (any more)."""
    model = models.find(base_model)
    offer = model.tuned_by(BACKEND) if model is not None else None
    if model is None or offer is None:
        raise invalid(f"Base model {base_model} is not supported for tuning.")
    since = model.retired_since(offer, today, retired)
    if since is not None:
        raise invalid(
            f"Base model {base_model} was retired on {since.isoformat()} and can no longer "
            "be tuned."
        )
    return offer


def _check_dataset(spec: JsonObject, key: str, *, required: bool) -> None:
    uri = spec.get(key, "")
    if not uri:
        if required:
            raise invalid(f"supervisedTuningSpec.{key} is required.")
        return
    if not (_GCS_URI.fullmatch(uri) or _DATASET.fullmatch(uri)):
        raise invalid(
            f"supervisedTuningSpec.{key} {uri!r} must be a gs:// URI of a JSONL file or a "
            "dataset resource name projects/{project}/locations/{location}/datasets/{id}."
        )


def _check_hyper_parameters(params: JsonObject, base_model: str, offer: Offer | None) -> None:
    where = "supervisedTuningSpec.hyperParameters"
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
