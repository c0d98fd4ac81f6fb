"""The promotion gate: which checkpoint a finished revision would serve, and whether
its evaluation scores meet `spec.promote` (issue 19).

Pure: the job's checkpoints and scores, the spec and the active revision's record
in, a verdict out, in codes and numbers; render/ words it. Modelled on Argo
Rollouts' AnalysisTemplate: every condition must hold, or the revision is not
promoted and the active one keeps serving.

- Serving (`spec.serve.checkpoint`): `default` (or no `serve`) is the tuned model's
  own endpoint, whose scores are those of the last checkpoint (Vertex AI deploys
  the last one there); `last`, `best` (highest `metric`) or a checkpoint id name
  a checkpoint, whose endpoint is served.
- `atLeast`: the served scores' value must be at least the limit.
- `maxDrop`: it may be lower than the active revision's served value by at most
  the limit; with no active revision or no active score, the condition holds.
- A metric the job did not report fails its condition (`missing`): a gate that
  cannot be judged does not pass.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from tuneops.core.evaluation import Checkpoint, CheckpointScores
from tuneops.core.jobs import RemoteJob
from tuneops.lockfile.file import Revision
from tuneops.specs.models import Serve, VertexSpec

_EMPTY: Mapping[str, float] = MappingProxyType({})


class GateCode(str, enum.Enum):
    """Why one condition of the gate did not hold."""

    BELOW_MINIMUM = "below-minimum"
    DROPPED = "dropped"
    MISSING = "missing"
    MISSING_CHECKPOINT = "missing-checkpoint"


@dataclass(frozen=True, slots=True)
class GateFailure:
    """One condition that did not hold, with the numbers it compared."""

    code: GateCode
    metric: str | None = None
    value: float | None = None
    limit: float | None = None
    active: float | None = None


@dataclass(frozen=True, slots=True)
class Serving:
    """What a revision would serve: a checkpoint (None: the tuned model's own
    endpoint), its endpoint and its scores."""

    checkpoint_id: str | None
    endpoint: str | None
    scores: Mapping[str, float] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class GateVerdict:
    """The gate's answer for one finished revision."""

    serving: Serving
    failures: tuple[GateFailure, ...] = ()
    baseline: Mapping[str, float] = field(default_factory=lambda: _EMPTY)
    judged: bool = True  # False: the spec has no gate (only serving was chosen)

    @property
    def passed(self) -> bool:
        """Every condition held."""
        return not self.failures


def judge(spec: VertexSpec, job: RemoteJob, active: Revision | None) -> GateVerdict:
    """The gate's verdict on `job`, a succeeded revision of `spec`."""
    serving, missing = choose_serving(spec.serve, job)
    failures: list[GateFailure] = [missing] if missing else []
    baseline = served_scores(active) if active is not None else _EMPTY
    if spec.promote is None:
        return GateVerdict(serving, tuple(failures), baseline, judged=False)
    for condition in spec.promote.conditions:
        metric = condition.metric.value
        value = serving.scores.get(metric)
        if value is None:
            failures.append(GateFailure(GateCode.MISSING, metric))
            continue
        if condition.at_least is not None and value < condition.at_least:
            failures.append(GateFailure(GateCode.BELOW_MINIMUM, metric, value, condition.at_least))
        before = baseline.get(metric)
        limit = condition.max_drop
        if limit is not None and before is not None and before - value > limit + 1e-12:
            failures.append(GateFailure(GateCode.DROPPED, metric, value, limit, before))
    return GateVerdict(serving, tuple(failures), baseline)


def choose_serving(serve: Serve | None, job: RemoteJob) -> tuple[Serving, GateFailure | None]:
    """The checkpoint `serve` picks from `job`, or the job's own endpoint; a failure
    when the checkpoint it names does not exist."""
    choice = serve.checkpoint if serve is not None else "default"
    checkpoints = job.checkpoints
    if choice == "default" or (choice == "last" and not checkpoints):
        last = checkpoints[-1].checkpoint_id if checkpoints else None
        return Serving(None, job.endpoint, _scores_of(job.evaluation, last)), None
    chosen: Checkpoint | None
    if choice == "last":
        chosen = checkpoints[-1]
    elif choice == "best":
        metric = serve.metric.value if serve is not None and serve.metric else ""
        ranked = [
            (scores.scores[metric], index, scores.checkpoint_id)
            for index, scores in enumerate(job.evaluation)
            if metric in scores.scores and scores.checkpoint_id is not None
        ]
        best = max(ranked, default=None)  # ties: the later checkpoint
        chosen = _find(checkpoints, best[2]) if best else None
    else:
        chosen = _find(checkpoints, choice)
    if chosen is None:
        failure = GateFailure(GateCode.MISSING_CHECKPOINT, None)
        return Serving(None, None), failure
    scores = _scores_of(job.evaluation, chosen.checkpoint_id)
    return Serving(chosen.checkpoint_id, chosen.endpoint, scores), None


def served_scores(revision: Revision) -> Mapping[str, float]:
    """The scores of what `revision` serves, as its lockfile record has them."""
    evaluation = revision.evaluation or {}
    if not evaluation:
        return _EMPTY
    key = revision.checkpoint
    if key is None and revision.checkpoints:
        key = str(revision.checkpoints[-1].get("id"))
    if key is None or key not in evaluation:
        key = max(evaluation, key=_checkpoint_order)  # the lockfile sorts keys as text
    return MappingProxyType(dict(evaluation[key]))


def _checkpoint_order(checkpoint: str) -> tuple[int, str]:
    """Numeric ids in number order ("10" after "9"), others after them."""
    return (int(checkpoint), "") if checkpoint.isdigit() else (1 << 62, checkpoint)


def _find(checkpoints: tuple[Checkpoint, ...], checkpoint_id: str) -> Checkpoint | None:
    return next((c for c in checkpoints if c.checkpoint_id == checkpoint_id), None)


def _scores_of(
    evaluation: tuple[CheckpointScores, ...], checkpoint: str | None
) -> Mapping[str, float]:
    if not evaluation:
        return _EMPTY
    for scores in evaluation:
        if checkpoint is not None and scores.checkpoint_id == checkpoint:
            return scores.scores
    return evaluation[-1].scores if checkpoint is None else _EMPTY


def gate_record(verdict: GateVerdict, result: str) -> dict[str, object]:
    """The lockfile's record of a verdict (`result`: passed, failed or overridden)."""
    record: dict[str, object] = {"result": result}
    failures = []
    for failure in verdict.failures:
        item: dict[str, object] = {"code": failure.code.value}
        for key, value in (
            ("metric", failure.metric),
            ("value", failure.value),
            ("limit", failure.limit),
            ("active", failure.active),
        ):
            if value is not None:
                item[key] = value
        failures.append(item)
    if failures:
        record["failures"] = failures
    if verdict.baseline:
        record["baseline"] = dict(sorted(verdict.baseline.items()))
    return record


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def scores_fields(serving: Serving) -> tuple[str, ...]:
    """`metric=value` of what a finished revision would serve, for a note's fields."""
    return tuple(f"{m}={_number(v)}" for m, v in sorted(serving.scores.items()))


def gate_failures(pending: Revision) -> tuple[str, ...]:
    """The failed conditions of `pending`'s gate as note fields: `code metric value
    limit active` (as many as the code has), then `smoke-test-failed` if it failed."""
    found = []
    gate = pending.gate or {}
    for failure in gate.get("failures") or ():
        parts = [failure.get("code"), failure.get("metric")]
        parts += [_number(failure[k]) for k in ("value", "limit", "active") if k in failure]
        found.append(" ".join(str(p) for p in parts if p is not None))
    if gate.get("smokeTest") == "failed":
        found.append("smoke-test-failed")
    return tuple(found)


def comparison(pending: Revision, active: Revision | None) -> tuple[str, ...]:
    """`metric old new` for every metric both revisions' served scores have."""
    if active is None:
        return ()
    old, new = served_scores(active), served_scores(pending)
    return tuple(f"{m} {_number(old[m])} {_number(new[m])}" for m in sorted(set(old) & set(new)))
