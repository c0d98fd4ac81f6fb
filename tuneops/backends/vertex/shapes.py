"""The shape of a Vertex AI TuningJob, checked before it is believed.

A job whose name does not match the resource pattern, or whose fields have the
wrong types, is not a job: treating it as foreign could start a duplicate, and
treating it as ours could cancel the wrong thing. Both raise
`InvalidResponseError` instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tuneops.backends.shared import identity as ident
from tuneops.backends.transport.errors import InvalidResponseError

VERTEX_JOB_NAME = re.compile(
    r"projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/tuningJobs/[^/:]+"
)


def made_for(data: Mapping[str, Any], identity: ident.Identity) -> bool:
    """`data` is a well-formed job carrying exactly `identity`'s labels (nonce included)."""
    name = data.get("name")
    labels = data.get("labels")
    if not isinstance(name, str) or VERTEX_JOB_NAME.fullmatch(name) is None:
        return False
    if not isinstance(labels, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
    ):
        return False
    return ident.from_vertex_labels(labels) == identity


# Fields whose type must be right before a job is believed; a wrong one means the
# answer is not a TuningJob, and guessing would risk duplicates or cancels.
_STRING_FIELDS = ("name", "state", "createTime", "startTime", "endTime", "updateTime")


def check_vertex_job(data: Mapping[str, Any]) -> None:
    """Raises `InvalidResponseError` unless `data` looks like a TuningJob."""
    name = data.get("name")
    if not isinstance(name, str) or VERTEX_JOB_NAME.fullmatch(name) is None:
        raise InvalidResponseError(f"a tuning job without a valid name: {str(name)[:100]!r}")
    for key in _STRING_FIELDS:
        if key in data and not isinstance(data[key], str):
            raise InvalidResponseError(f"{name}: {key} is not a string")
    labels = data.get("labels", {})
    if not isinstance(labels, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
    ):
        raise InvalidResponseError(f"{name}: labels are not a map of strings")
    for key in ("tunedModel", "error"):
        if key in data and not isinstance(data[key], Mapping):
            raise InvalidResponseError(f"{name}: {key} is not an object")
