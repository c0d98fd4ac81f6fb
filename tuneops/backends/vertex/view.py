"""A Vertex AI TuningJob seen in spec terms, for `tuneops import` to compare with a spec.

Only fields a spec can set are read back; output-only fields and tuneops' own
labels are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tuneops.backends.shared.identity import LABEL_PREFIX
from tuneops.backends.shared.readback import as_float, as_int, pruned


def vertex_view(data: Mapping[str, Any], location: str) -> dict[str, Any]:
    """A Vertex `TuningJob` as the spec fields it corresponds to."""
    preference = data.get("preferenceOptimizationSpec")
    tuning = preference or data.get("supervisedTuningSpec") or {}
    hyper = tuning.get("hyperParameters") or {}
    labels = {k: v for k, v in (data.get("labels") or {}).items() if not k.startswith(LABEL_PREFIX)}
    pre_tuned = data.get("preTunedModel") or {}
    return pruned(
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
                "epochCount": as_int(hyper.get("epochCount")),
                "learningRateMultiplier": as_float(hyper.get("learningRateMultiplier")),
                "adapterSize": hyper.get("adapterSize"),
                "beta": as_float(hyper.get("beta")),
            },
            "exportLastCheckpointOnly": tuning.get("exportLastCheckpointOnly"),
            "encryptionSpec": {"kmsKeyName": (data.get("encryptionSpec") or {}).get("kmsKeyName")},
            "serviceAccount": data.get("serviceAccount"),
            "labels": labels,
        }
    )
