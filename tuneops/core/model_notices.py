"""Pure: what the model catalogue has to say about a stack on a given day.

Plan, the pull-request comment and status show these notices: a spec whose base
model is unknown, nearing its last tuning day, or on the Gemini API (which tunes
no model any more); a running job or live endpoint built on a model that Google
shuts down soon or already did. Notices are data (a code and the facts); the
views word them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from tuneops.catalogue import Catalogue, ModelStatus, Source
from tuneops.catalogue.verdicts import VerdictCode, tuning_verdict

if TYPE_CHECKING:  # the plan module imports this one; loading a plan needs neither
    from tuneops.lockfile.file import Lockfile
    from tuneops.specs.models import JobSpec


class NoticeCode(str, enum.Enum):
    """Stable codes of model notices (JSON output; docs/output-formats.md)."""

    UNKNOWN = "model-unknown"
    RETIRED = "model-retired"
    TUNING_ENDS = "model-tuning-ends"
    GEMINI_SUNSET = "gemini-tuning-sunset"
    SHUTDOWN_SOON = "model-shutdown-soon"
    SHUT_DOWN = "model-shut-down"


class Subject(str, enum.Enum):
    """What a notice is about: the spec (its next job), or a job or endpoint that exists."""

    SPEC = "spec"
    RUNNING_JOB = "runningJob"
    ENDPOINT = "endpoint"


@dataclass(frozen=True, slots=True)
class ModelNotice:
    """One thing the catalogue says about a spec's model; `day` is the date that matters."""

    code: NoticeCode
    spec: str
    base_model: str
    backend: str
    subject: Subject
    catalogue_read_on: date
    day: date | None = None
    successor: str | None = None
    job: str | None = None
    source_url: str | None = None
    source_read_on: date | None = None

    @property
    def past(self) -> bool:
        """Whether the day has passed: the model is retired or shut down."""
        return self.code in (NoticeCode.RETIRED, NoticeCode.SHUT_DOWN, NoticeCode.GEMINI_SUNSET)

    def to_data(self) -> dict[str, Any]:
        """The JSON form (None fields left out)."""
        data: dict[str, Any] = {
            "code": self.code.value,
            "spec": self.spec,
            "baseModel": self.base_model,
            "backend": self.backend,
            "subject": self.subject.value,
            "catalogueReadOn": self.catalogue_read_on.isoformat(),
        }
        optional = (
            ("day", self.day and self.day.isoformat()),
            ("successor", self.successor),
            ("job", self.job),
            ("source", self.source_url),
            ("sourceReadOn", self.source_read_on and self.source_read_on.isoformat()),
        )
        data.update({key: value for key, value in optional if value is not None})
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ModelNotice:
        """The inverse of `to_data`."""

        def day(key: str) -> date | None:
            return date.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            code=NoticeCode(data["code"]),
            spec=data["spec"],
            base_model=data["baseModel"],
            backend=data["backend"],
            subject=Subject(data["subject"]),
            catalogue_read_on=date.fromisoformat(data["catalogueReadOn"]),
            day=day("day"),
            successor=data.get("successor"),
            job=data.get("job"),
            source_url=data.get("source"),
            source_read_on=day("sourceReadOn"),
        )


def _source(source: Source | None) -> dict[str, Any]:
    return {"source_url": source.url, "source_read_on": source.read_on} if source else {}


@dataclass(frozen=True, slots=True)
class ModelUse:
    """A spec's base model on its backend: what the spec notices look at."""

    spec: str
    backend: str
    base_model: str

    @classmethod
    def of(cls, spec: JobSpec) -> ModelUse | None:
        """The use of a loaded spec; None for continuous tuning (no base model)."""
        base = getattr(spec.spec, "base_model", None)
        return cls(spec.name, spec.backend.value, base) if base else None


def spec_notices(
    uses: Iterable[ModelUse | None],
    catalogue: Catalogue,
    today: date,
    emulated: frozenset[str] = frozenset(),
) -> tuple[ModelNotice, ...]:
    """Notices about the next job of each spec: unknown, retired or soon retired
    models, and the Gemini API's sunset (news only where the real service is used)."""
    notices: list[ModelNotice] = []
    for use in uses:
        if use is None:
            continue
        verdict = tuning_verdict(catalogue, use.base_model, use.backend, today)
        common: dict[str, Any] = {
            "spec": use.spec,
            "base_model": use.base_model,
            "backend": use.backend,
            "subject": Subject.SPEC,
            "catalogue_read_on": catalogue.read_on,
            "successor": verdict.successor,
            **_source(verdict.source),
        }
        if use.backend == "gemini" and verdict.blocks:
            if use.backend not in emulated:
                sunset = catalogue.sunsets.get(use.backend)
                extra = {"day": sunset.since, **_source(sunset.source)} if sunset else {}
                notices.append(ModelNotice(NoticeCode.GEMINI_SUNSET, **{**common, **extra}))
        elif verdict.code is VerdictCode.UNKNOWN:
            notices.append(ModelNotice(NoticeCode.UNKNOWN, **{**common, "successor": None}))
        elif verdict.blocks:
            notices.append(ModelNotice(NoticeCode.RETIRED, **common, day=verdict.last_day))
        elif verdict.code is VerdictCode.DEPRECATED:
            notices.append(ModelNotice(NoticeCode.TUNING_ENDS, **common, day=verdict.last_day))
    return tuple(notices)


def live_notices(lockfile: Lockfile, catalogue: Catalogue, today: date) -> tuple[ModelNotice, ...]:
    """Notices about the running jobs and live endpoints the lockfile records whose
    base model Google shuts down within the catalogue's window, or already did."""
    notices: list[ModelNotice] = []
    for name, entry in sorted(lockfile.entries.items()):
        backend = entry.backend.value
        for revision in entry.revisions():
            base = (revision.spec or {}).get("baseModel")
            subject = _subject(revision.state.value, revision.endpoint)
            if not isinstance(base, str) or subject is None:
                continue
            offering = catalogue.offering(base, backend)
            lifecycle = offering.lifecycle if offering else None
            if offering is None or lifecycle is None or lifecycle.shutdown is None:
                continue
            status = offering.serving_status(today, catalogue.window)
            if status is ModelStatus.AVAILABLE:
                continue
            code = (
                NoticeCode.SHUT_DOWN if status is ModelStatus.RETIRED else NoticeCode.SHUTDOWN_SOON
            )
            notices.append(
                ModelNotice(
                    code,
                    spec=name,
                    base_model=base,
                    backend=backend,
                    subject=subject,
                    catalogue_read_on=catalogue.read_on,
                    day=lifecycle.shutdown,
                    successor=lifecycle.successor,
                    job=revision.job,
                    **_source(lifecycle.source),
                )
            )
    return tuple(notices)


_RUNNING = frozenset({"queued", "pending", "running"})


def _subject(state: str, endpoint: str | None) -> Subject | None:
    if state in _RUNNING:
        return Subject.RUNNING_JOB
    if state == "succeeded" and endpoint:
        return Subject.ENDPOINT
    return None
