"""Notes: what core/ and runtime/ have to say, as data; the views word them.

A note is a stable kebab-case code, the facts it is about (fields) and a
severity. The words live in one table owned by the views
(`tuneops.render.wording`); docs/output-formats.md lists every code, and
docs/architecture.md ("Where words live") says which strings may stay outside
the views.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Union

Field = Union[str, int, float, bool, tuple[str, ...], "Note", None]


class NoteCode(str, enum.Enum):
    """Every note's stable code (docs/output-formats.md, "Note codes")."""

    # The planner: things a plan does not do, and why.
    IMPORTED_NOT_CANCELLED = "imported-job-not-cancelled"
    IMPORTED_KEEPS_RUNNING = "imported-job-keeps-running"
    PRUNE_KEEPS_PROTECTED = "prune-keeps-protected-models"
    SMOKE_TEST_FAILED_KEPT = "smoke-test-failed-active-kept"
    GATE_FAILED_KEPT = "promotion-gate-failed-active-kept"
    JOB_ENDED_RETRY = "job-ended-retry-available"
    # A plan read back from a file: the note as it was saved (worded then).
    SAVED = "saved-note"
    # A saved plan against the plan computed now (apply FILE).
    SAVED_ACTION_NOT_PLANNED = "saved-action-not-planned"
    PLANNED_ACTION_NOT_SAVED = "planned-action-not-saved"
    SAVED_ACTION_DIFFERS = "saved-action-differs"
    # The plan reviewed on a pull request against the plan computed on merge.
    REVIEW_ACTION_ADDED = "review-action-added"
    REVIEW_ACTION_DROPPED = "review-action-dropped"
    REVIEW_COMMIT_UNSEEN = "review-commit-unseen"
    REVIEW_ACTIONS_DIFFER = "review-actions-differ"
    # Why an action is planned (its `reason`).
    NEW_SPEC = "new-spec"
    SPEC_CHANGED = "spec-changed"
    SPEC_CHANGED_HASH = "spec-changed-hash-only"
    SPEC_CHANGED_UNRECORDED = "spec-changed-previous-unrecorded"
    RETRY_ENDED = "retry-ended-job"
    PROMOTE_SUCCEEDED = "pending-revision-succeeded"
    ADOPT_UNRECORDED = "adopt-unrecorded-job"
    ADOPT_EARLIER_SERVING = "adopt-earlier-serving-job"
    ADOPT_REVERTED = "adopt-reverted-revision"
    SPEC_REMOVED_JOB_LIVE = "spec-removed-job-live"
    SPEC_REMOVED_JOBS_ENDED = "spec-removed-jobs-ended"
    SPEC_REMOVED_IMPORTED_LIVE = "spec-removed-imported-job-live"
    PRUNE_MODEL = "prune-finished-model"
    DUPLICATE_JOB = "duplicate-job"
    DUPLICATE_JOB_CONVERGED = "duplicate-job-converged"
    SUPERSEDED = "superseded-job"
    DEQUEUE_STALE = "dequeue-stale-queue-record"
    # What blocks an action (its `blocked`).
    BLOCKED_PROTECTED = "blocked-protected"
    BLOCKED_CANNOT_STOP = "blocked-backend-cannot-stop"
    BLOCKED_REPLACE_PROTECTED = "blocked-replace-cancels-protected"
    BLOCKED_EMPTY_SPECS = "blocked-no-specs"
    BLOCKED_MAX_CANCEL = "blocked-max-cancel"
    BLOCKED_MAX_CREATE = "blocked-max-create"
    BLOCKED_COST_UNPRICED = "blocked-cost-unpriced"
    BLOCKED_MAX_COST = "blocked-max-cost"
    # The applier: what happened to one action.
    FORGOTTEN = "forgotten"
    DEQUEUED = "dequeued"
    ADOPTED = "adopted"
    DELETED = "deleted"
    CANCELLED = "cancelled"
    CREATED = "created"
    QUEUED = "queued"
    QUEUED_AFTER_REFUSAL = "queued-after-refusal"
    PROMOTED = "promoted"
    PROMOTED_SMOKE_PASSED = "promoted-smoke-test-passed"
    SMOKE_TEST_FAILED = "smoke-test-failed"
    GATE_HELD_BACK = "promotion-gate-held-back"
    NOT_STARTED_INTERRUPTED = "not-started-interrupted"
    NOT_STARTED_DEADLINE = "not-started-phase-deadline"
    ACTION_FAILED = "action-failed"


class Severity(str, enum.Enum):
    """How much a note matters: news, something to look at, or a failure."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Note:
    """One structured note: a code, its fields (sorted pairs, so it stays hashable)."""

    code: NoteCode
    fields: tuple[tuple[str, Field], ...] = ()
    severity: Severity = Severity.INFO

    @classmethod
    def of(cls, code: NoteCode, severity: Severity = Severity.INFO, **fields: Field) -> Note:
        """A note with its fields given by name."""
        return cls(code, tuple(sorted(fields.items())), severity)

    def __getitem__(self, name: str) -> Any:
        """A field's value; None when the note has no such field."""
        return dict(self.fields).get(name)

    def with_fields(self, **more: Field) -> Note:
        """The same note with more (or other) fields."""
        return Note.of(self.code, self.severity, **{**dict(self.fields), **more})

    def to_data(self) -> dict[str, Any]:
        """The structured JSON form: code, severity and the fields."""
        fields = {k: _field_data(v) for k, v in self.fields}
        return {"code": self.code.value, "severity": self.severity.value, **fields}

    @classmethod
    def from_data(cls, data: Any) -> Note:
        """A saved note: its structured form, or the words a view saved it with
        (a plan file holds words: they read back as `saved-note`)."""
        if isinstance(data, str):
            return cls.of(NoteCode.SAVED, text=data)
        if not isinstance(data, dict):
            raise TypeError(f"expected a note, got {type(data).__name__}")
        fields = {k: _field(v) for k, v in data.items() if k not in ("code", "severity")}
        return cls.of(NoteCode(data["code"]), Severity(data.get("severity", "info")), **fields)


def _field_data(value: Field) -> Any:
    if isinstance(value, Note):
        return value.to_data()
    return list(value) if isinstance(value, tuple) else value


def _field(value: Any) -> Field:
    if isinstance(value, dict):
        return Note.from_data(value)
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"a note field cannot be {type(value).__name__}")
