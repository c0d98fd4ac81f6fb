"""What apply does for one spec: the action, its kind, phase and order, and its JSON form.

The plan (`core.plan`) is a list of these; they are kept apart so that each
module stays small.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tuneops.core.cost.estimate import CostEstimate
from tuneops.lockfile.file import QueueReason
from tuneops.notes import Note
from tuneops.specs.kinds import BackendKind


class Phase(enum.IntEnum):
    """When apply runs an action: bookkeeping first, then cancels (freeing quota), then creates."""

    BOOKKEEPING = 0  # the lockfile only, no remote call
    CANCEL = 1
    CREATE = 2


class ActionKind(str, enum.Enum):
    """What apply does for one spec (design.md, "Plan")."""

    CREATE = "create"
    REPLACE = "replace"
    RETRY = "retry"
    CANCEL = "cancel"
    FORGET = "forget"
    PROMOTE = "promote"
    ADOPT = "adopt"
    DELETE = "delete"
    DEQUEUE = "dequeue"

    @property
    def creates_job(self) -> bool:
        """The action starts a new (paid) remote job."""
        return self in {ActionKind.CREATE, ActionKind.REPLACE, ActionKind.RETRY}

    @property
    def symbol(self) -> str:
        """The one-character sign shown in text plans."""
        return _SYMBOLS[self]

    @property
    def phase(self) -> Phase:
        """The apply phase this kind of action runs in."""
        return _PHASES[self]

    @property
    def order(self) -> int:
        """Rank in apply order (phases first, then a fixed order within each)."""
        return _APPLY_ORDER.index(self)


_PHASES = {
    ActionKind.ADOPT: Phase.BOOKKEEPING,
    ActionKind.PROMOTE: Phase.BOOKKEEPING,
    ActionKind.FORGET: Phase.BOOKKEEPING,
    ActionKind.DEQUEUE: Phase.BOOKKEEPING,
    ActionKind.CANCEL: Phase.CANCEL,
    ActionKind.DELETE: Phase.CANCEL,
    ActionKind.REPLACE: Phase.CREATE,
    ActionKind.RETRY: Phase.CREATE,
    ActionKind.CREATE: Phase.CREATE,
}
_APPLY_ORDER = (
    ActionKind.ADOPT,
    ActionKind.PROMOTE,
    ActionKind.FORGET,
    ActionKind.DEQUEUE,
    ActionKind.CANCEL,
    ActionKind.DELETE,
    ActionKind.REPLACE,
    ActionKind.RETRY,
    ActionKind.CREATE,
)
BOOKKEEPING = frozenset(k for k in ActionKind if k.phase is Phase.BOOKKEEPING)
CHANGES = frozenset(ActionKind) - BOOKKEEPING
_SYMBOLS = {
    ActionKind.CREATE: "+",
    ActionKind.REPLACE: "±",
    ActionKind.RETRY: "↻",
    ActionKind.CANCEL: "-",
    ActionKind.DELETE: "-",
    ActionKind.FORGET: "~",
    ActionKind.PROMOTE: "~",
    ActionKind.ADOPT: "~",
    ActionKind.DEQUEUE: "~",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One field that differs between the running revision and the spec."""

    path: str
    old: Any
    new: Any

    def to_data(self) -> dict[str, Any]:
        """JSON form."""
        return {"path": self.path, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class QueueSlot:
    """Why a job-starting action waits instead of starting: no free slot in its place.

    `position` is its place in that queue (1 starts first when a slot frees);
    `in_flight` and `limit` are what the plan counted there (the limit is None
    when the service refused before and no tuneops limit is set).
    """

    reason: QueueReason
    position: int
    in_flight: int
    limit: int | None

    def to_data(self) -> dict[str, Any]:
        """JSON form."""
        data: dict[str, Any] = {
            "reason": self.reason.value,
            "position": self.position,
            "inFlight": self.in_flight,
        }
        if self.limit is not None:
            data["limit"] = self.limit
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> QueueSlot:
        """The value of its JSON form."""
        return cls(
            QueueReason(data["reason"]), data["position"], data["inFlight"], data.get("limit")
        )


@dataclass(frozen=True, slots=True)
class Action:
    """One step of a plan, for one spec name.

    `job` is the remote job the action is about (the one to cancel, promote or
    adopt; the revision being replaced); `cancels` lists further jobs that the
    action cancels (an in-flight older revision, duplicates from a race).
    `blocked` says which guard stops it; a plan with a blocked action is not
    applied at all. `written_hash` is the spec's hash without its `gs://` dataset
    pins, set when they differ: what a review of an offline plan compares.
    `queued` marks a create, replace or retry that waits for a free slot: apply
    records it as queued in the lockfile instead of starting it. A promote of a
    revision that reported evaluation scores carries them (`scores`, metric and
    value pairs) and the checkpoint it would serve (`checkpoint`; issue 19).
    """

    kind: ActionKind
    name: str
    backend: BackendKind
    reason: Note  # why it is planned (tuneops.notes; the views word it)
    spec_hash: str | None = None
    job: str | None = None
    cancels: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    blocked: Note | None = None
    cost: CostEstimate | None = None
    written_hash: str | None = None
    queued: QueueSlot | None = None
    scores: tuple[tuple[str, float], ...] = ()
    checkpoint: str | None = None

    @property
    def starts_now(self) -> bool:
        """Apply starts a new remote job for this action now (not queued)."""
        return self.kind.creates_job and self.queued is None

    @property
    def destructive(self) -> bool:
        """The action stops or removes remote work (a cancel, a prune's delete, or a
        replace that cancels)."""
        return self.kind in (ActionKind.CANCEL, ActionKind.DELETE) or bool(self.cancels)

    def sort_key(self) -> tuple[int, str, str]:
        """Stable order: by kind (apply order), then name, then job."""
        return (self.kind.order, self.name, self.job or "")

    def to_data(self) -> dict[str, Any]:
        """Structured JSON form (empty optional fields left out); the views word
        `reason` and `blocked` (`render.plan.action_data`)."""
        data: dict[str, Any] = {
            "action": self.kind.value,
            "name": self.name,
            "backend": self.backend.value,
            "reason": self.reason.to_data(),
        }
        if self.spec_hash:
            data["specHash"] = self.spec_hash
        if self.written_hash:
            data["writtenHash"] = self.written_hash
        if self.job:
            data["job"] = self.job
        if self.cancels:
            data["cancels"] = list(self.cancels)
        if self.changes:
            data["changes"] = [c.to_data() for c in self.changes]
        if self.blocked:
            data["blocked"] = self.blocked.to_data()
        if self.cost is not None:
            data["cost"] = self.cost.to_data()
        if self.queued is not None:
            data["queued"] = self.queued.to_data()
        if self.scores:
            data["scores"] = dict(self.scores)
        if self.checkpoint is not None:
            data["checkpoint"] = self.checkpoint
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Action:
        """The action of its JSON form."""
        return cls(
            kind=ActionKind(data["action"]),
            name=_text(data["name"]),
            backend=BackendKind(data["backend"]),
            reason=Note.from_data(data["reason"]),
            spec_hash=_optional_text(data.get("specHash")),
            job=_optional_text(data.get("job")),
            cancels=tuple(_text(c) for c in data.get("cancels", ())),
            changes=tuple(Change(c["path"], c["old"], c["new"]) for c in data.get("changes", ())),
            blocked=None if data.get("blocked") is None else Note.from_data(data["blocked"]),
            cost=CostEstimate.from_data(data["cost"]) if "cost" in data else None,
            written_hash=_optional_text(data.get("writtenHash")),  # absent in older plans
            queued=QueueSlot.from_data(data["queued"]) if "queued" in data else None,
            scores=tuple((str(k), float(v)) for k, v in (data.get("scores") or {}).items()),
            checkpoint=_optional_text(data.get("checkpoint")),
        )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)
