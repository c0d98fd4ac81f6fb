"""The words for every note (`tuneops.notes`): one sentence per code, from its fields.

Every view words notes here, so text, JSON, Markdown and GitHub annotations
say the same thing; a wording change touches this table only. The JSON views
keep the worded forms their format already had (docs/output-formats.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tuneops.core.drift import Drift, DriftKind
from tuneops.errors import TuneopsError
from tuneops.notes import Note, NoteCode

_RETRY = "`tuneops apply --retry-failed`"
_UNLABELLED = "was imported and carries no tuneops labels"


def _action(note: Note) -> str:
    """`replace bot (projects/…/tuningJobs/7)`: the action a saved-plan note is about."""
    job = note["job"]
    return f"{note['kind']} {note['name']}" + (f" ({job})" if job else "")


def reviewed_action(note: Note) -> str:
    """`replace support-bot (spec 1a2b3c4d5e6f7a8b; job …; cancels …)`."""
    spec_hash, job, cancels = note["specHash"], note["job"], note["cancels"]
    detail = [f"spec {spec_hash[:16]}"] if spec_hash else []
    detail += [f"job {job}"] if job else []
    detail += [f"cancels {', '.join(cancels)}"] if cancels else []
    return f"{note['kind']} {note['name']}" + (f" ({'; '.join(detail)})" if detail else "")


def _ended(note: Note) -> str:
    error = f": {note['error']}" if note["error"] else ""
    return f"{note['spec']}: job {note['job']} {note['state']}{error}; {_RETRY} starts it again"


def _queued(note: Note) -> str:
    return (
        f"queued ({note['reason']}, ticket {note['ticket']}); the next apply starts it when a "
        "slot frees"
    )


def _smoke_failed(note: Note) -> str:
    verb = "contain" if note["expect"] == "contains" else "equal"
    return (
        f"smoke test failed: the answer {note['answer']!r} does not {verb} {note['value']!r}; "
        "the active revision keeps serving"
    )


def _promote_succeeded(note: Note) -> str:
    scores = note["scores"]
    if not scores:
        return "pending revision succeeded"
    where = f" (checkpoint {note['checkpoint']})" if note["checkpoint"] else ""
    return f"pending revision succeeded; scores{where}: {' '.join(scores)}"


def _gate_failure(text: str) -> str:
    """One failed condition (`code metric value limit active`) in words."""
    code, *rest = text.split(" ")
    if code == "below-minimum":
        return f"{rest[0]} {rest[1]} < {rest[2]}"
    if code == "dropped":
        return f"{rest[0]} {rest[3]} -> {rest[1]}, more than {rest[2]} down"
    if code == "missing":
        return f"no {rest[0]} score"
    if code == "smoke-test-failed":
        return "smoke test failed"
    return "no such checkpoint"


def _gate_failed_kept(note: Note) -> str:
    parts = [_gate_failure(f) for f in note["failures"] or ()]
    compared = [" -> ".join(c.split(" ", 1)[1].split(" ")) for c in note["comparison"] or ()]
    if compared:
        names = [c.split(" ", 1)[0] for c in note["comparison"]]
        parts.append(
            "active -> pending: "
            + ", ".join(f"{n} {c}" for n, c in zip(names, compared, strict=True))
        )
    summary = "; ".join(parts) or "no detail recorded"
    return (
        f"{note['spec']}: revision {note['job']} did not pass its promotion gate ({summary}), "
        f"so the active revision keeps serving; `tuneops promote` promotes it by hand, "
        f"{_RETRY} judges it again"
    )


def _retry_ended(note: Note) -> str:
    error = f": {note['error']}" if note["error"] else ""
    return f"job {note['job']} {note['state']}{error}"


def _reverted(note: Note) -> str:
    stale = f"; {note['pending']} is no longer pending" if note["pending"] else ""
    return f"the spec is back to the revision of {note['job']}, which serves{stale}"


def _imported_not_cancelled(note: Note) -> str:
    reason = note["reason"]
    because = word(reason) if isinstance(reason, Note) else reason
    return (
        f"{note['spec']}: {note['job']} {_UNLABELLED}, so tuneops never cancels it ({because}); "
        "stop it yourself if it should not run"
    )


_WORDS: dict[NoteCode, Callable[[Note], str]] = {
    NoteCode.NEW_SPEC: lambda n: "new spec",
    NoteCode.SPEC_CHANGED: lambda n: "spec changed",
    NoteCode.SPEC_CHANGED_HASH: lambda n: "spec changed (hash differs)",
    NoteCode.SPEC_CHANGED_UNRECORDED: lambda n: (
        "spec changed (the previous spec is not recorded, so fields are not shown)"
    ),
    NoteCode.RETRY_ENDED: _retry_ended,
    NoteCode.PROMOTE_SUCCEEDED: _promote_succeeded,
    NoteCode.ADOPT_UNRECORDED: lambda n: (
        f"found {n['state']} job {n['job']} that the lockfile does not record"
    ),
    NoteCode.ADOPT_EARLIER_SERVING: lambda n: (
        f"found succeeded job {n['job']} of an earlier spec that the lockfile does not record; "
        "it serves until the current revision succeeds"
    ),
    NoteCode.ADOPT_REVERTED: _reverted,
    NoteCode.SPEC_REMOVED_JOB_LIVE: lambda n: f"spec removed; job is {n['state']}",
    NoteCode.SPEC_REMOVED_JOBS_ENDED: lambda n: "spec removed and its jobs ended",
    NoteCode.SPEC_REMOVED_IMPORTED_LIVE: lambda n: (
        f"spec removed; imported job {', '.join(n['jobs'])} carries no tuneops labels, so it "
        "is only forgotten, never cancelled, and keeps running"
    ),
    NoteCode.PRUNE_MODEL: lambda n: (
        f"spec removed and its job {n['state']}; prune: true deletes the model"
    ),
    NoteCode.DUPLICATE_JOB: lambda n: (
        f"duplicate of {n['keep']} for the same spec (a concurrent apply)"
    ),
    NoteCode.DUPLICATE_JOB_CONVERGED: lambda n: f"duplicate of {n['keep']} (a concurrent apply)",
    NoteCode.SUPERSEDED: lambda n: "superseded by the current spec",
    NoteCode.DEQUEUE_STALE: lambda n: "was queued, but no job needs to start for the spec any more",
    NoteCode.BLOCKED_PROTECTED: lambda n: (
        "the job is protected (protect: true); unprotect it in the spec first"
    ),
    NoteCode.BLOCKED_CANNOT_STOP: lambda n: (
        f"the {n['backend']} backend can neither cancel nor delete jobs"
    ),
    NoteCode.BLOCKED_REPLACE_PROTECTED: lambda n: (
        "replacing would cancel a protected job in flight; unprotect it first"
    ),
    NoteCode.BLOCKED_EMPTY_SPECS: lambda n: (
        "no specs were found but the stack has live jobs; pass --allow-empty to cancel them all"
    ),
    NoteCode.BLOCKED_MAX_CANCEL: lambda n: (
        f"{n['count']} cancels exceed guards.maxCancel ({n['limit']}); "
        f"pass --max-cancel {n['count']} to allow them"
    ),
    NoteCode.BLOCKED_MAX_CREATE: lambda n: (
        f"{n['count']} new jobs exceed guards.maxCreate ({n['limit']}); "
        f"pass --max-create {n['count']} to allow them"
    ),
    NoteCode.BLOCKED_COST_UNPRICED: lambda n: (
        f"{n['unpriced']} new jobs have no price in the model catalogue, so the cost cannot be "
        f"held to guards.maxCost ({n['limit']:,.2f} {n['currency']}); give their base models a "
        "price under pricing.trainingPerMillionTokens in tuneops.yaml"
    ),
    NoteCode.BLOCKED_MAX_COST: lambda n: (
        f"the estimated cost {n['amount']:,.2f} {n['currency']} exceeds guards.maxCost "
        f"({n['limit']:,.2f} {n['currency']})"
    ),
    NoteCode.IMPORTED_NOT_CANCELLED: _imported_not_cancelled,
    NoteCode.IMPORTED_KEEPS_RUNNING: lambda n: (
        f"{n['spec']}: {n['job']} {_UNLABELLED}, so the replace leaves it running; "
        "stop it yourself if it should not run"
    ),
    NoteCode.PRUNE_KEEPS_PROTECTED: lambda n: (
        f"{n['spec']}: spec removed; its {n['models']} finished model(s) are protected "
        "(protect: true), so prune keeps them"
    ),
    NoteCode.SMOKE_TEST_FAILED_KEPT: lambda n: (
        f"{n['spec']}: revision {n['job']} failed its smoke test, so the active revision "
        f"keeps serving; {_RETRY} tests it again"
    ),
    NoteCode.GATE_FAILED_KEPT: _gate_failed_kept,
    NoteCode.JOB_ENDED_RETRY: _ended,
    NoteCode.SAVED: lambda n: str(n["text"]),
    NoteCode.SAVED_ACTION_NOT_PLANNED: lambda n: f"{_action(n)} is not in the plan computed now",
    NoteCode.PLANNED_ACTION_NOT_SAVED: lambda n: f"{_action(n)} is missing from the plan file",
    NoteCode.SAVED_ACTION_DIFFERS: lambda n: f"{_action(n)} differs",
    NoteCode.REVIEW_ACTION_ADDED: lambda n: f"+ {reviewed_action(n)}: not in the reviewed plan",
    NoteCode.REVIEW_ACTION_DROPPED: lambda n: (
        f"- {reviewed_action(n)}: reviewed, but no longer planned"
    ),
    NoteCode.REVIEW_COMMIT_UNSEEN: lambda n: (
        f"the plan comment shows commit {n['reviewed'][:12]}, but the pull request ended at "
        f"{n['head'][:12]}: its last plan was never shown"
    ),
    NoteCode.REVIEW_ACTIONS_DIFFER: lambda n: (
        "the plan's actions differ (too many to list here; see the job log)"
    ),
    NoteCode.FORGOTTEN: lambda n: "forgotten",
    NoteCode.DEQUEUED: lambda n: "no longer queued",
    NoteCode.ADOPTED: lambda n: f"adopted {n['job']}",
    NoteCode.DELETED: lambda n: f"deleted {n['job']}",
    NoteCode.CANCELLED: lambda n: f"cancelled {n['job']}",
    NoteCode.CREATED: lambda n: f"created {n['job']}",
    NoteCode.QUEUED: _queued,
    NoteCode.QUEUED_AFTER_REFUSAL: lambda n: f"{_queued(n)}; the service said: {n['said']}",
    NoteCode.PROMOTED: lambda n: f"promoted {n['job']}",
    NoteCode.PROMOTED_SMOKE_PASSED: lambda n: f"promoted {n['job']} (smoke test passed)",
    NoteCode.SMOKE_TEST_FAILED: _smoke_failed,
    NoteCode.GATE_HELD_BACK: lambda n: (
        f"{n['job']} held back by its promotion gate; the active revision keeps serving"
    ),
    NoteCode.NOT_STARTED_INTERRUPTED: lambda n: "not started: the apply was interrupted",
    NoteCode.NOT_STARTED_DEADLINE: lambda n: (
        f"not started: the apply passed its phase deadline of {n['seconds']:g} s "
        "(timeouts.applyPhase in tuneops.yaml); the next plan shows what is left"
    ),
    NoteCode.ACTION_FAILED: lambda n: str(n["message"]),
}


_QUEUED_BEFORE = {
    "service-quota": "queued after the service refused it for quota; tried again",
    "max-concurrent-jobs": "queued; a slot is free now",
}


def word(note: Note) -> str:
    """The sentence for one note; a reason's qualifiers (`deletedBy`: the backend
    deletes instead of cancelling; `queuedFor`: the start was queued before) follow it."""
    text = _WORDS[note.code](note)
    if note["deletedBy"]:
        text += f"; the {note['deletedBy']} backend cannot cancel, so the model is deleted"
    if note["queuedFor"]:
        text += f"; {_QUEUED_BEFORE.get(note['queuedFor'], _QUEUED_BEFORE['max-concurrent-jobs'])}"
    return text


def words(notes: Iterable[Note]) -> list[str]:
    """The sentences for many notes, in order."""
    return [word(note) for note in notes]


def worded_codes() -> frozenset[NoteCode]:
    """The codes this table words (a test holds it to `NoteCode`)."""
    return frozenset(_WORDS)


DRIFT_LABELS = {
    DriftKind.CANCELLED: "cancelled outside tuneops",
    DriftKind.FAILED: "failed",
    DriftKind.DELETED: "deleted outside tuneops",
    DriftKind.UNEXPLAINED: "no spec explains it",
    DriftKind.GONE: "job gone",
}


def drift_message(drift: Drift) -> str:
    """What changed behind tuneops' back, in one sentence."""
    if drift.kind is DriftKind.DELETED:
        return f"job {drift.job} no longer exists"
    if drift.kind is DriftKind.CANCELLED:
        return f"job {drift.job} was cancelled"
    if drift.kind is DriftKind.FAILED:
        return f"job {drift.job} failed" + (f": {drift.error}" if drift.error else "")
    if drift.kind is DriftKind.GONE:
        return "the spec's jobs are all gone; apply creates one"
    return f"job {drift.job} carries this stack's labels but no spec or lockfile entry explains it"


def error_text(error: TuneopsError, limit: int = 5) -> str:
    """An error's one line: its message, then the words of the notes it carries
    (at most `limit`, then how many more)."""
    if not error.notes:
        return str(error)
    shown = "; ".join(words(error.notes[:limit]))
    more = len(error.notes) - limit
    return f"{error}: {shown}" + (f"; and {more} more" if more > 0 else "")
