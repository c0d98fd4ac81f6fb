"""The shape of a Gemini API TunedModel, checked before it is believed.

A model whose name does not match the resource pattern, or whose fields have the
wrong types, is not a tuned model: treating it as foreign could start a
duplicate, and treating it as ours could delete the wrong thing. Both raise
`InvalidResponseError` instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tuneops.backends.transport.errors import InvalidResponseError

GEMINI_MODEL_NAME = re.compile(r"tunedModels/(?P<id>[a-z0-9-]+)")


def check_gemini_model(data: Mapping[str, Any]) -> None:
    """Raises `InvalidResponseError` unless `data` looks like a TunedModel."""
    name = data.get("name")
    if not isinstance(name, str) or GEMINI_MODEL_NAME.fullmatch(name) is None:
        raise InvalidResponseError(f"a tuned model without a valid name: {str(name)[:100]!r}")
    for key in ("state", "description", "createTime", "updateTime"):
        if key in data and not isinstance(data[key], str):
            raise InvalidResponseError(f"{name}: {key} is not a string")
    if "tuningTask" in data and not isinstance(data["tuningTask"], Mapping):
        raise InvalidResponseError(f"{name}: tuningTask is not an object")
