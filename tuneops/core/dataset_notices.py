"""What a plan says about pinned datasets that are gone: data, worded by the views.

A job pinned to a `gs://` object generation keeps its pin when the object is
deleted (cleaning up training data is common, and the job is unchanged), so the
plan has nothing to apply. That is still news: a job that has not read its data
yet may fail, and the next replace of the spec (any change to it) needs the
object and is refused until it is back. Core says which spec, object, generation
and job; `render/plan.py` says what that means.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tuneops.lockfile.file import Lockfile


class NoticeCode(str, enum.Enum):
    """What kind of news a notice is."""

    PINNED_OBJECT_MISSING = "pinned-object-missing"


@dataclass(frozen=True, slots=True, order=True)
class MissingPin:
    """A spec's pinned object that no longer exists; its recorded pin stands in for it."""

    spec: str
    field: str  # trainingDataset / validationDataset
    uri: str
    pinned_generation: str
    spec_hash: str  # the pinned spec's hash, which names the revision trained on it


@dataclass(frozen=True, slots=True, order=True)
class DatasetNotice:
    """One piece of dataset news in a plan, with the job it concerns (when known)."""

    code: NoticeCode
    spec: str
    field: str
    uri: str
    pinned_generation: str
    job: str | None = None
    job_state: str | None = None

    def to_data(self) -> dict[str, Any]:
        """JSON form (docs/output-formats.md)."""
        return {
            "code": self.code.value,
            "spec": self.spec,
            "field": self.field,
            "uri": self.uri,
            "pinnedGeneration": self.pinned_generation,
            "job": self.job,
            "jobState": self.job_state,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DatasetNotice:
        """The notice of its JSON form."""
        return cls(
            code=NoticeCode(data["code"]),
            spec=str(data["spec"]),
            field=str(data["field"]),
            uri=str(data["uri"]),
            pinned_generation=str(data["pinnedGeneration"]),
            job=data.get("job"),
            job_state=data.get("jobState"),
        )


def missing_object_notices(
    missing: Sequence[MissingPin], lockfile: Lockfile
) -> tuple[DatasetNotice, ...]:
    """A notice per missing pinned object, naming the revision that was trained on it."""
    notices = []
    for pin in sorted(set(missing)):
        entry = lockfile.entries.get(pin.spec)
        revisions = entry.revisions() if entry is not None else ()
        revision = next((r for r in revisions if r.spec_hash == pin.spec_hash), None)
        notices.append(
            DatasetNotice(
                NoticeCode.PINNED_OBJECT_MISSING,
                pin.spec,
                pin.field,
                pin.uri,
                pin.pinned_generation,
                revision.job if revision is not None else None,
                revision.state.value if revision is not None else None,
            )
        )
    return tuple(notices)
