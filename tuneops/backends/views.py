"""Remote jobs seen in spec terms, for `tuneops import` to compare with a spec.

Only fields a spec can set are read back; output-only fields and tuneops' own
labels and marker are dropped. Gemini training data is input-only on the
service and cannot be read back at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tuneops.backends.identity import LABEL_PREFIX

_MARKER_TAIL = re.compile(r"\s*\[tuneops [^\]]*\]\s*$")


def _pruned(data: Mapping[str, Any]) -> dict[str, Any]:
    """Drops None and empty values, recursively."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            value = _pruned(value)
        if value not in (None, "", {}, []):
            out[key] = value
    return out


def _int(value: Any) -> int | None:
    # int64 fields come back as JSON strings ("10").
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def vertex_view(data: Mapping[str, Any], location: str) -> dict[str, Any]:
    """A Vertex `TuningJob` as the spec fields it corresponds to."""
    preference = data.get("preferenceOptimizationSpec")
    tuning = preference or data.get("supervisedTuningSpec") or {}
    hyper = tuning.get("hyperParameters") or {}
    labels = {k: v for k, v in (data.get("labels") or {}).items() if not k.startswith(LABEL_PREFIX)}
    pre_tuned = data.get("preTunedModel") or {}
    return _pruned(
        {
            "backend": "vertex",
            "location": location,
            "method": "preference" if preference else None,
            # The service may fill baseModel in from the tuned model it continues.
            "baseModel": None if pre_tuned else data.get("baseModel"),
            "preTunedModel": {
                "tunedModelName": pre_tuned.get("tunedModelName"),
                "checkpointId": pre_tuned.get("checkpointId"),
            },
            "trainingDataset": tuning.get("trainingDatasetUri"),
            "validationDataset": tuning.get("validationDatasetUri"),
            "tunedModelDisplayName": data.get("tunedModelDisplayName"),
            "description": data.get("description"),
            "hyperParameters": {
                "epochCount": _int(hyper.get("epochCount")),
                "learningRateMultiplier": _float(hyper.get("learningRateMultiplier")),
                "adapterSize": hyper.get("adapterSize"),
                "beta": _float(hyper.get("beta")),
            },
            "exportLastCheckpointOnly": tuning.get("exportLastCheckpointOnly"),
            "encryptionSpec": {"kmsKeyName": (data.get("encryptionSpec") or {}).get("kmsKeyName")},
            "serviceAccount": data.get("serviceAccount"),
            "labels": labels,
        }
    )


def gemini_view(data: Mapping[str, Any]) -> dict[str, Any]:
    """A Gemini `TunedModel` as the spec fields it corresponds to (no training data)."""
    task = data.get("tuningTask") or {}
    hyper = task.get("hyperparameters") or {}
    description = data.get("description")
    if isinstance(description, str):
        description = _MARKER_TAIL.sub("", description)
    return _pruned(
        {
            "backend": "gemini",
            "baseModel": data.get("baseModel"),
            "displayName": data.get("displayName"),
            "description": description,
            "hyperParameters": {
                "epochCount": _int(hyper.get("epochCount")),
                "batchSize": _int(hyper.get("batchSize")),
                "learningRate": _float(hyper.get("learningRate")),
                "learningRateMultiplier": _float(hyper.get("learningRateMultiplier")),
            },
            "temperature": _float(data.get("temperature")),
            "topP": _float(data.get("topP")),
            "topK": _int(data.get("topK")),
        }
    )
