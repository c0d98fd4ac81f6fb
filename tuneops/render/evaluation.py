"""The words for evaluation scores, checkpoints and promotion gates (issue 19):
status, the plan and the PR comment show a revision's results with these."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tuneops.core.promotion import served_scores
from tuneops.lockfile.file import Revision


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _scores(scores: Mapping[str, float]) -> str:
    return " ".join(f"{metric}={_number(value)}" for metric, value in sorted(scores.items()))


def failure_text(failure: Mapping[str, Any]) -> str:
    """One condition that did not hold, with its numbers."""
    code, metric = failure.get("code"), failure.get("metric")
    value, limit = _number(failure.get("value")), _number(failure.get("limit"))
    if code == "below-minimum":
        return f"{metric} {value} is below {limit} (atLeast)"
    if code == "dropped":
        active = _number(failure.get("active"))
        return f"{metric} {value} is more than {limit} below the active {active} (maxDrop)"
    if code == "missing":
        return f"the job reported no {metric} score"
    return "the job has no checkpoint that spec.serve names"


def revision_lines(label: str, revision: Revision) -> list[str]:
    """What one revision's results say: gate, scores served, checkpoints."""
    lines = []
    gate = revision.gate
    if gate is not None:
        result = str(gate.get("result"))
        failures = [failure_text(f) for f in gate.get("failures") or ()]
        if gate.get("smokeTest") == "failed":
            failures.append("its smoke test failed")
        by_hand = " (promoted by hand)" if revision.promoted_by else ""
        text = f"{label} gate: {result}{by_hand}"
        lines.append(f"{text}: {'; '.join(failures)}" if failures else text)
    scores = served_scores(revision)
    if scores:
        where = f" (checkpoint {revision.checkpoint})" if revision.checkpoint else ""
        lines.append(f"{label} scores{where}: {_scores(scores)}")
    if revision.checkpoints:
        ids = ", ".join(str(c.get("id")) for c in revision.checkpoints)
        lines.append(f"{label} checkpoints: {ids}")
    return lines


def comparison_line(active: Revision | None, pending: Revision | None) -> str | None:
    """Old vs new scores, metric by metric, when both revisions have them."""
    if active is None or pending is None:
        return None
    old, new = served_scores(active), served_scores(pending)
    shared = sorted(set(old) & set(new))
    if not shared:
        return None
    parts = [f"{m} {_number(old[m])} -> {_number(new[m])}" for m in shared]
    return "active -> pending: " + ", ".join(parts)


def results_data(revision: Revision | None) -> dict[str, Any] | None:
    """A revision's results for JSON output (None without a revision)."""
    if revision is None:
        return None
    return {
        "job": revision.job,
        "checkpoint": revision.checkpoint,
        "checkpoints": [dict(c) for c in revision.checkpoints],
        "evaluation": {k: dict(v) for k, v in (revision.evaluation or {}).items()},
        "scores": dict(served_scores(revision)),
        "gate": _plain(revision.gate) if revision.gate is not None else None,
        "promotedBy": revision.promoted_by,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
