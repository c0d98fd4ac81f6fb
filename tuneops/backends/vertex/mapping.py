"""A Vertex AI TuningJob, as listed or read, mapped to tuneops' `RemoteJob`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from tuneops.backends.shared import identity as ident
from tuneops.backends.shared.wire import field, integer, parse_timestamp
from tuneops.backends.transport.untrusted import one_line
from tuneops.backends.vertex import results
from tuneops.core.jobs import RemoteJob
from tuneops.specs.kinds import BackendKind, JobState

log = logging.getLogger("tuneops.backends")

STATES: Mapping[str, JobState] = MappingProxyType(
    {
        "JOB_STATE_QUEUED": JobState.PENDING,
        "JOB_STATE_PENDING": JobState.PENDING,
        "JOB_STATE_RUNNING": JobState.RUNNING,
        "JOB_STATE_UPDATING": JobState.RUNNING,
        "JOB_STATE_PAUSED": JobState.RUNNING,
        "JOB_STATE_SUCCEEDED": JobState.SUCCEEDED,
        "JOB_STATE_FAILED": JobState.FAILED,
        "JOB_STATE_EXPIRED": JobState.FAILED,
        "JOB_STATE_PARTIALLY_SUCCEEDED": JobState.FAILED,
        "JOB_STATE_CANCELLING": JobState.CANCELLING,
        "JOB_STATE_CANCELLED": JobState.CANCELLED,
    }
)


def remote_job(data: Mapping[str, Any], project: str | None, location: str | None) -> RemoteJob:
    """The job `data` (shape-checked by the caller), found in `project` and `location`."""
    name = field(data, "name") or ""
    labels_data = data.get("labels")
    labels = (
        {sys.intern(str(k)): _label_value(str(k), str(v)) for k, v in labels_data.items()}
        if isinstance(labels_data, Mapping)
        else {}
    )
    who = ident.from_vertex_labels(labels)
    state_name = field(data, "state") or "JOB_STATE_UNSPECIFIED"
    state = STATES.get(state_name)
    if state is None:
        # An unknown (newer, or unspecified) state: treat as not ended, so a
        # job is never forgotten because of a value we do not know.
        log.debug("%s: unknown state %s taken as pending", name, state_name)
        state = JobState.PENDING
    return RemoteJob(
        backend=BackendKind.VERTEX,
        name=name,
        spec_name=who.name if who else None,
        spec_hash=who.hash if who else None,
        stack=who.stack if who else None,
        protect=who.protect if who else False,
        state=state,
        create_time=parse_timestamp(data.get("createTime")),
        start_time=parse_timestamp(data.get("startTime")),
        end_time=parse_timestamp(data.get("endTime")),
        update_time=parse_timestamp(data.get("updateTime")),
        model=field(data, "tunedModel", "model"),
        endpoint=field(data, "tunedModel", "endpoint"),
        error_message=_shown(field(data, "error", "message")),
        error_code=integer(data, "error", "code"),
        labels=MappingProxyType(labels),
        progress=None,
        nonce=who.nonce if who else None,
        project=project,
        location=location,
        example_count=_stat(data, "tuningDatasetExampleCount"),
        billable_tokens=_stat(data, "totalBillableTokenCount"),
        experiment=_shown(field(data, "experiment")),
        checkpoints=results.checkpoints(data),
        evaluation=results.evaluation(data),
    )


_DATA_STATS = ("supervisedTuningDataStats", "preferenceOptimizationDataStats")


def _stat(data: Mapping[str, Any], key: str) -> int | None:
    """A count from the job's data statistics, of whichever method it tuned by."""
    for kind in _DATA_STATS:
        found = integer(data, "tuningDataStats", kind, key)
        if found is not None:
            return found
    return None


# A job's hash and nonce labels are its own; interning them would only grow the table.
_UNIQUE_LABELS = frozenset({ident.HASH_LABEL, ident.NONCE_LABEL})


def _label_value(key: str, value: str) -> str:
    """One shared copy of a label value that repeats across the stack's jobs (the
    stack, the spec name, a team's own labels): a plan keeps 20,000 listed jobs'
    labels (issue 18: peak memory of plan)."""
    return value if key in _UNIQUE_LABELS else sys.intern(value)


def _shown(text: str | None) -> str | None:
    # A job's error text is the service's words, shown in plans and status.
    return one_line(text) if text is not None else None
