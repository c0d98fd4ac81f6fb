"""The plan: a frozen, serialisable value that says exactly what apply will do."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tuneops.core.action import BOOKKEEPING as BOOKKEEPING
from tuneops.core.action import CHANGES as CHANGES
from tuneops.core.action import Action as Action
from tuneops.core.action import ActionKind as ActionKind
from tuneops.core.action import Change as Change
from tuneops.core.action import Phase as Phase
from tuneops.core.action import QueueSlot as QueueSlot
from tuneops.core.cost.estimate import CostTotal
from tuneops.core.dataset_notices import DatasetNotice
from tuneops.core.model_notices import ModelNotice
from tuneops.errors import TuneopsError
from tuneops.exit_codes import EXIT_BLOCKED, EXIT_CHANGES, EXIT_OK
from tuneops.notes import Note, NoteCode, Severity

FORMAT_VERSION = 1
# A saved plan is read from a file anyone with write access to CI artifacts can
# edit: bounded before it is parsed, and checked for depth after.
MAX_PLAN_BYTES = 16 * 1024 * 1024
MAX_PLAN_DEPTH = 16


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """The command-line switches that change what a plan may do; saved with the plan."""

    targets: tuple[str, ...] = ()
    retry_failed: bool = False
    allow_empty: bool = False
    max_cancel: int = 5
    max_create: int = 20
    prune: bool = False
    max_cost: float | None = None
    max_concurrent_jobs: int | None = None

    def to_data(self) -> dict[str, Any]:
        """JSON form."""
        data: dict[str, Any] = {
            "targets": sorted(self.targets),
            "retryFailed": self.retry_failed,
            "allowEmpty": self.allow_empty,
            "maxCancel": self.max_cancel,
            "maxCreate": self.max_create,
            "prune": self.prune,
        }
        if self.max_cost is not None:
            data["maxCost"] = self.max_cost
        if self.max_concurrent_jobs is not None:
            data["maxConcurrentJobs"] = self.max_concurrent_jobs
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PlanOptions:
        """The options of their JSON form."""
        return cls(
            targets=tuple(data["targets"]),
            retry_failed=data["retryFailed"],
            allow_empty=data["allowEmpty"],
            max_cancel=data["maxCancel"],
            max_create=data["maxCreate"],
            prune=data.get("prune", False),  # plans saved before pruning existed
            max_cost=data.get("maxCost"),
            max_concurrent_jobs=data.get("maxConcurrentJobs"),
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything apply will do, and a fingerprint of what it was computed from."""

    stack: str
    fingerprint: str
    actions: tuple[Action, ...]
    offline: bool = False
    # What the planner has to say beyond the actions (tuneops.notes; the views word them).
    notes: tuple[Note, ...] = ()
    tuneops_version: str = ""
    # News about pinned datasets that changes nothing apply does (core.dataset_notices).
    dataset_notices: tuple[DatasetNotice, ...] = ()
    format_version: int = FORMAT_VERSION
    options: PlanOptions = field(default_factory=PlanOptions)
    # What the model catalogue says about the specs' models (no effect on apply).
    model_notices: tuple[ModelNotice, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "actions", tuple(sorted(self.actions, key=Action.sort_key)))

    @property
    def counts(self) -> dict[str, int]:
        """Number of actions per kind, every kind present."""
        found = Counter(a.kind.value for a in self.actions)
        return {kind.value: found.get(kind.value, 0) for kind in ActionKind}

    @property
    def has_changes(self) -> bool:
        """Apply would do something."""
        return bool(self.actions)

    @property
    def destructive(self) -> bool:
        """Apply would stop remote work."""
        return any(a.destructive for a in self.actions)

    @property
    def total_cost(self) -> CostTotal | None:
        """The sum of the actions' estimates; None when no action has one."""
        costs = [a.cost for a in self.actions if a.cost is not None]
        if not costs:
            return None
        priced = [c.amount for c in costs if c.amount is not None]
        return CostTotal(round(sum(priced), 6), costs[0].currency, len(costs) - len(priced))

    @property
    def blocked(self) -> tuple[Action, ...]:
        """The actions a guard stops."""
        return tuple(a for a in self.actions if a.blocked)

    @property
    def queued(self) -> tuple[Action, ...]:
        """The job-starting actions that wait for a free slot (pending changes all the same)."""
        return tuple(a for a in self.actions if a.queued is not None)

    def exit_code(self, detailed_exitcode: bool) -> int:
        """3 when a guard blocks the plan; 2 for pending changes with --detailed-exitcode."""
        if self.blocked:
            return EXIT_BLOCKED
        if detailed_exitcode and self.has_changes:
            return EXIT_CHANGES
        return EXIT_OK

    def only(self, kinds: frozenset[ActionKind]) -> Plan:
        """The same plan restricted to actions of `kinds` (for bookkeeping runs)."""
        return replace(self, actions=tuple(a for a in self.actions if a.kind in kinds))

    def to_data(self) -> dict[str, Any]:
        """The structured JSON form; the views word its notes (`render.plan.plan_data`)."""
        return {
            "formatVersion": self.format_version,
            "tuneopsVersion": self.tuneops_version,
            "stack": self.stack,
            "offline": self.offline,
            "options": self.options.to_data(),
            "fingerprint": self.fingerprint,
            "summary": {
                **self.counts,
                "blocked": len(self.blocked),
                "queued": len(self.queued),
                "hasChanges": self.has_changes,
                "destructive": self.destructive,
                **({"estimatedCost": total.to_data()} if (total := self.total_cost) else {}),
            },
            "actions": [a.to_data() for a in self.actions],
            "notes": [note.to_data() for note in self.notes],
            "datasetNotices": [n.to_data() for n in self.dataset_notices],
            "modelNotices": [n.to_data() for n in self.model_notices],
        }

    def differences(self, other: Plan) -> tuple[Note, ...]:
        """How this plan's actions differ from `other`'s, one note per action; () if equal.

        An action's reason and the words of its guard are left out: they say why,
        not what apply does (a saved plan holds them as words, this one as codes).
        """
        mine = {_action_key(a): a for a in self.actions}
        theirs = {_action_key(a): a for a in other.actions}
        found: list[Note] = []
        for key in sorted(mine.keys() | theirs.keys()):
            here, there = mine.get(key), theirs.get(key)
            kind, name, job = key
            if there is None:
                code = NoteCode.SAVED_ACTION_NOT_PLANNED
            elif here is None:
                code = NoteCode.PLANNED_ACTION_NOT_SAVED
            elif _essence(here) != _essence(there):
                code = NoteCode.SAVED_ACTION_DIFFERS
            else:
                continue
            found.append(Note.of(code, Severity.ERROR, kind=kind, name=name, job=job))
        return tuple(found)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """The plan of a saved file's text, bounded in size and depth."""
        if len(text) > MAX_PLAN_BYTES:
            raise TuneopsError(f"the plan is larger than {MAX_PLAN_BYTES} bytes")
        try:
            data = json.loads(text)
        except RecursionError:
            data = None
        except ValueError as error:
            raise TuneopsError(f"not JSON: {error}") from None
        if data is None or _depth(data) > MAX_PLAN_DEPTH:
            raise TuneopsError(f"the plan is nested deeper than {MAX_PLAN_DEPTH} levels")
        if not isinstance(data, dict):
            raise TuneopsError("not a plan: the top level is not a JSON object")
        try:
            return cls.from_data(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise TuneopsError(f"not a valid plan ({type(error).__name__}: {error})") from None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Plan:
        """The plan of its JSON form; refuses formats it does not know."""
        version = data.get("formatVersion")
        if version != FORMAT_VERSION:
            raise TuneopsError(
                f"plan file format {version!r} is not supported (expected {FORMAT_VERSION}); "
                "run `tuneops plan --out FILE` again with this version of tuneops"
            )
        return cls(
            stack=data["stack"],
            fingerprint=data["fingerprint"],
            actions=tuple(Action.from_data(a) for a in data["actions"]),
            offline=data["offline"],
            notes=tuple(Note.from_data(n) for n in data.get("notes", ())),
            tuneops_version=data["tuneopsVersion"],
            # Plans saved before dataset notices existed have none.
            dataset_notices=tuple(
                DatasetNotice.from_data(n) for n in data.get("datasetNotices", ())
            ),
            options=PlanOptions.from_data(data["options"]),
            model_notices=tuple(ModelNotice.from_data(n) for n in data.get("modelNotices", ())),
        )


def _essence(action: Action) -> dict[str, Any]:
    """What apply does for an action: its JSON form without the reason's words."""
    data = action.to_data()
    del data["reason"]
    data["blocked"] = action.blocked is not None
    return data


def _action_key(action: Action) -> tuple[str, str, str]:
    return (action.kind.value, action.name, action.job or "")


def _depth(data: Any) -> int:
    """How deeply `data` nests lists and objects (iteratively: no recursion to exhaust)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            deepest = max(deepest, depth)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            deepest = max(deepest, depth)
            stack.extend((item, depth + 1) for item in value)
    return deepest
