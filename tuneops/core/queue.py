"""Concurrency limits as a queue: which job-starting actions wait for a free slot. Pure.

A place is a Vertex project and region, the scope of the service's quota on
concurrent tuning jobs and of `vertex.maxConcurrentJobs`. Per place:

    free = limit - (jobs of the stack in flight there - those the plan cancels)

The plan's cancels run before its creates (`Phase`), so they free their slots
first. The starts that compete for the free slots go oldest queued first (the
lockfile's tickets), then by name; the first `free` of them start, the rest are
marked `queued`. Without a limit nothing is held back. A spec whose create the
service refused before (reason `service-quota`) keeps its ticket and is simply
tried again. Gemini API specs have no documented concurrency quota and never
wait. See docs/reconciler.md, "Concurrency limits".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tuneops.core.jobs import RemoteJob
from tuneops.core.plan import Action, ActionKind, QueueSlot
from tuneops.lockfile.file import Lockfile, QueueReason
from tuneops.notes import Note, NoteCode
from tuneops.specs.kinds import BackendKind
from tuneops.specs.models import JobSpec, VertexSpec

Place = tuple[str, str]  # (project, location)


@dataclass(frozen=True, slots=True)
class Occupancy:
    """What the listing shows of the slots: in-flight jobs per place, and where each job is."""

    in_flight: Mapping[Place, int]
    places: Mapping[str, Place]  # job name -> its place


def spec_place(spec: JobSpec) -> Place | None:
    """Where a Vertex spec's jobs run; None for the Gemini API."""
    if isinstance(spec.spec, VertexSpec) and spec.spec.project and spec.spec.location:
        return spec.spec.project, spec.spec.location
    return None


def occupancy(jobs: Sequence[RemoteJob], homes: Mapping[str, Place]) -> Occupancy:
    """Counts the in-flight Vertex jobs per place, from the one listing a plan makes.

    A job's place is the project and region it was listed in; a job that does
    not say (an offline plan without a recorded place) counts where its spec's
    jobs run (`homes`, by spec name).
    """
    places: dict[str, Place] = {}
    counted: Counter[Place] = Counter()
    for job in jobs:
        if job.backend is not BackendKind.VERTEX:
            continue
        place = (
            (job.project, job.location)
            if job.project and job.location
            else homes.get(job.spec_name or "")
        )
        if place is None:
            continue
        places[job.name] = place
        if job.state.in_flight:
            counted[place] += 1
    return Occupancy(dict(counted), places)


def assign_slots(
    actions: Sequence[Action],
    specs: Mapping[str, JobSpec],
    lockfile: Lockfile,
    seen: Occupancy,
    limit: int | None,
) -> list[Action]:
    """The actions, with the starts that find no free slot marked `queued`."""
    if limit is None:
        return [_retried(a, lockfile) for a in actions]
    load = Counter(seen.in_flight)
    for action in actions:
        stopped = [action.job] if action.kind is ActionKind.CANCEL and action.job else []
        for name in [*stopped, *action.cancels]:
            if name in seen.places:
                load[seen.places[name]] -= 1
    waiting: dict[Place, list[Action]] = {}
    for action in actions:
        place = spec_place(specs[action.name]) if action.kind.creates_job else None
        if place is not None:
            waiting.setdefault(place, []).append(action)
    decided: dict[int, Action] = {}
    for place, starts in waiting.items():
        in_flight = max(0, load[place])
        free = max(0, limit - in_flight)
        ordered = sorted(starts, key=lambda a: _line(a, lockfile))
        for position, action in enumerate(ordered[free:], start=1):
            slot = QueueSlot(QueueReason.LIMIT, position, in_flight, limit)
            decided[id(action)] = replace(action, queued=slot)
        for action in ordered[:free]:
            decided[id(action)] = _retried(action, lockfile)
    return [decided.get(id(a), a) for a in actions]


def _line(action: Action, lockfile: Lockfile) -> tuple[int, int, str]:
    """Queue order: queued before (by ticket) first, then by name."""
    entry = lockfile.entries.get(action.name)
    if entry is not None and entry.queued is not None:
        return (0, entry.queued.ticket, action.name)
    return (1, 0, action.name)


def _retried(action: Action, lockfile: Lockfile) -> Action:
    """A start that was queued before says so in its reason."""
    entry = lockfile.entries.get(action.name)
    if not action.kind.creates_job or entry is None or entry.queued is None:
        return action
    # The views add "queued before" to the reason's words, from this field.
    return replace(action, reason=action.reason.with_fields(queuedFor=entry.queued.reason.value))


def stale_queue(
    actions: Sequence[Action], lockfile: Lockfile, names: Sequence[str]
) -> list[Action]:
    """`dequeue` for each planned name whose queued record no start stands for any more
    (the spec went back to a revision that exists, a job was found, `--retry-failed`
    was dropped). A removed spec whose entry is forgotten needs none."""
    starting = {a.name for a in actions if a.kind.creates_job}
    forgotten = {a.name for a in actions if a.kind is ActionKind.FORGET}
    extra = []
    for name in names:
        entry = lockfile.entries.get(name)
        if entry is None or entry.queued is None or name in starting or name in forgotten:
            continue
        extra.append(
            Action(
                ActionKind.DEQUEUE,
                name,
                entry.backend,
                Note.of(NoteCode.DEQUEUE_STALE),
            )
        )
    return extra
