"""The words for model notices: what the catalogue says about a stack's models."""

from __future__ import annotations

from tuneops.core.model_notices import ModelNotice, NoticeCode, Subject
from tuneops.specs.model_checks import SERVICE_NAMES as _SERVICE

_SUBJECT = {Subject.RUNNING_JOB: "running job", Subject.ENDPOINT: "live endpoint"}


def _source(notice: ModelNotice) -> str:
    if notice.source_url is None:
        return ""
    read = f", read {notice.source_read_on}" if notice.source_read_on else ""
    return f" ({notice.source_url}{read})"


def notice_line(notice: ModelNotice) -> str:
    """One sentence: the spec, what the catalogue says about its model, and what to do."""
    service = _SERVICE.get(notice.backend, notice.backend)
    instead = f"; move to {notice.successor}" if notice.successor else ""
    model = notice.base_model
    if notice.code is NoticeCode.UNKNOWN:
        return (
            f"{notice.spec}: {model} is not in the model catalogue (read "
            f"{notice.catalogue_read_on}); {service} decides whether it can be tuned, and its "
            "cost is unknown"
        )
    if notice.code is NoticeCode.RETIRED:
        return (
            f"{notice.spec}: {model} can no longer be tuned on {service} (the last day was "
            f"{notice.day}){instead}{_source(notice)}"
        )
    if notice.code is NoticeCode.TUNING_ENDS:
        return (
            f"{notice.spec}: {model} takes new tuning jobs on {service} only until "
            f"{notice.day}{instead}{_source(notice)}"
        )
    if notice.code is NoticeCode.GEMINI_SUNSET:
        return (
            f"{notice.spec}: the Gemini API tunes no model since {notice.day}{_source(notice)}; "
            "a new revision of this spec will be refused. Move it to backend: vertex "
            f"(baseModel: {notice.successor}; trainingData.examples is accepted as it is)"
        )
    what = _SUBJECT.get(notice.subject, "job")
    job = f" {notice.job}" if notice.job else ""
    if notice.code is NoticeCode.SHUT_DOWN:
        return (
            f"{notice.spec}: {model} was shut down on {service} on {notice.day}; the {what}"
            f"{job} built on it no longer serves{instead}{_source(notice)}"
        )
    return (
        f"{notice.spec}: {model} shuts down on {service} on {notice.day}; the {what}{job} "
        f"built on it stops serving then{instead}{_source(notice)}"
    )
