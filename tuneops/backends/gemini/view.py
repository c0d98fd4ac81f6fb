"""A Gemini API TunedModel seen in spec terms, for `tuneops import` to compare with a spec.

Only fields a spec can set are read back; tuneops' marker is dropped from the
description. Training data is input-only on the service and cannot be read back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tuneops.backends.shared.readback import as_float, as_int, pruned

_MARKER_TAIL = re.compile(r"\s*\[tuneops [^\]]*\]\s*$")


def gemini_view(data: Mapping[str, Any]) -> dict[str, Any]:
    """A Gemini `TunedModel` as the spec fields it corresponds to (no training data)."""
    task = data.get("tuningTask") or {}
    hyper = task.get("hyperparameters") or {}
    description = data.get("description")
    if isinstance(description, str):
        description = _MARKER_TAIL.sub("", description)
    return pruned(
        {
            "backend": "gemini",
            "baseModel": data.get("baseModel"),
            "displayName": data.get("displayName"),
            "description": description,
            "hyperParameters": {
                "epochCount": as_int(hyper.get("epochCount")),
                "batchSize": as_int(hyper.get("batchSize")),
                "learningRate": as_float(hyper.get("learningRate")),
                "learningRateMultiplier": as_float(hyper.get("learningRateMultiplier")),
            },
            "temperature": as_float(data.get("temperature")),
            "topP": as_float(data.get("topP")),
            "topK": as_int(data.get("topK")),
        }
    )
