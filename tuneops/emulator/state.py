"""Everything one emulator instance knows, shared by the request handlers."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date, datetime, timezone

from tuneops.emulator.clock import MICROS, VirtualClock
from tuneops.emulator.config import EmulatorConfig
from tuneops.emulator.faults import FaultQueue
from tuneops.emulator.ids import IdSource, project_number_for
from tuneops.emulator.models import ModelTable, load_models
from tuneops.emulator.store import Store

_OFFSET_KEY = "clock_offset_us"
_RETIRED_KEY = "retired_models"
_OFFERED_KEY = "offered_methods"


class RequestCounts:
    """How many API requests arrived per method and route template."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, key: str) -> None:
        """Counts one request."""
        with self._lock:
            self._counts[key] += 1

    def snapshot(self) -> dict[str, int]:
        """The counts so far, sorted by key."""
        with self._lock:
            return dict(sorted(self._counts.items()))

    def clear(self) -> None:
        """Starts counting from zero."""
        with self._lock:
            self._counts.clear()


class EmulatorState:
    """The store, clock, ids, faults and counters of one emulator.

    `lock` serialises every read and write of the store: requests are short, and
    a single writer keeps multi-step changes (read a job, decide, write it back)
    atomic without transactions spread over threads.
    """

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.store = Store(config.state_path)
        offset = int(self.store.get_meta(_OFFSET_KEY) or "0")
        self.clock = VirtualClock(frozen=config.frozen_clock, offset_us=offset)
        self.models: ModelTable = load_models(config.catalogue_path)
        self.ids = IdSource(config.seed)
        self.faults = FaultQueue(config.seed)
        self.counts = RequestCounts()
        self.lock = threading.RLock()
        # Changed at run time through the control API; a reset restores the setting.
        self.max_concurrent_jobs = config.max_concurrent_jobs

    def now_us(self) -> int:
        """The current virtual time in microseconds."""
        return self.clock.now_us()

    def today(self) -> date:
        """The current virtual day (UTC), against which model lifecycles are read."""
        return datetime.fromtimestamp(self.now_us() // MICROS, tz=timezone.utc).date()

    def retired(self) -> dict[str, date]:
        """Models retired through the control API, by catalogue id, with the day."""
        with self.lock:
            stored = json.loads(self.store.get_meta(_RETIRED_KEY) or "{}")
        return {model: date.fromisoformat(day) for model, day in stored.items()}

    def retire(self, model_id: str, day: date) -> None:
        """Retires a model from `day` on; kept in the state, forgotten by reset."""
        with self.lock:
            stored = json.loads(self.store.get_meta(_RETIRED_KEY) or "{}")
            stored.setdefault(model_id, day.isoformat())
            self.store.set_meta(_RETIRED_KEY, json.dumps(stored, sort_keys=True))

    def offered(self) -> dict[str, frozenset[str]]:
        """Tuning methods added to models through the control API, by catalogue id."""
        with self.lock:
            stored = json.loads(self.store.get_meta(_OFFERED_KEY) or "{}")
        return {model: frozenset(methods) for model, methods in stored.items()}

    def offer(self, model_id: str, method: str) -> None:
        """Lets Vertex jobs tune `model_id` by `method`; kept in the state, forgotten by reset."""
        with self.lock:
            stored = json.loads(self.store.get_meta(_OFFERED_KEY) or "{}")
            stored[model_id] = sorted({*stored.get(model_id, ()), method})
            self.store.set_meta(_OFFERED_KEY, json.dumps(stored, sort_keys=True))

    def advance(self, seconds: float) -> int:
        """Moves the virtual clock forward and remembers it across restarts."""
        with self.lock:
            now = self.clock.advance(seconds)
            self.store.set_meta(_OFFSET_KEY, str(self.clock.offset_us))
            return now

    def project_number(self, project: str) -> str:
        """The number of a project given by id or number in a request path.

        Numbers are used as given. The first project id the emulator sees gets the
        configured project number, any other id a stable number derived from it;
        the mapping is stored, so both spellings keep naming the same jobs.
        """
        if project.isdigit():
            return project
        with self.lock:
            number = self.store.project_number(project)
            if number is None:
                first = not self.store.has_projects()
                number = str(self.config.project_number) if first else project_number_for(project)
                number = self.store.add_project(project, number)
            return number

    def projects(self) -> dict[str, str]:
        """The project id -> number mapping so far."""
        with self.lock:
            return self.store.projects()

    def reset(self) -> None:
        """Forgets jobs, projects, faults, counts, clock advances, retired models and
        offered methods."""
        with self.lock:
            self.store.clear()
            self.clock.reset()
            self.faults.clear()
            self.counts.clear()
            self.max_concurrent_jobs = self.config.max_concurrent_jobs

    def close(self) -> None:
        """Releases the store."""
        with self.lock:
            self.store.close()
