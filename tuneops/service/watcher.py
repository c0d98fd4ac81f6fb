"""The watch loop's companion: what the loop says, judged and served.

The loop calls `cycle_started`, `cycle_succeeded` or `cycle_failed`, then
`sleeping`; the watcher keeps the loop's state for the health rules and, when a
metrics port is asked for, the metrics, and serves them (`watching`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from tuneops.backends.transport.clock import Clock
from tuneops.service.health import HealthRules, LoopState, Verdict, liveness, readiness
from tuneops.service.listen import Listen
from tuneops.service.snapshot import CycleSnapshot

if TYPE_CHECKING:  # prometheus-client is loaded only when metrics are served
    from tuneops.service.metrics import Metrics


class Watcher:
    """The loop's state, its health verdicts and (when served) its metrics."""

    def __init__(self, rules: HealthRules, clock: Clock, metrics: Metrics | None = None) -> None:
        self.rules = rules
        self.metrics = metrics
        self._clock = clock
        self._lock = threading.Lock()
        self._state = LoopState()
        self._started_at = 0.0

    @property
    def state(self) -> LoopState:
        """What the loop last said."""
        with self._lock:
            return self._state

    def _change(self, **changes: Any) -> None:
        with self._lock:
            self._state = dataclasses.replace(self._state, **changes)

    def cycle_started(self) -> None:
        """A cycle begins."""
        now = self._clock.monotonic()
        self._started_at = now
        self._change(cycle_started=now, wake_at=None, cycles=self.state.cycles + 1)

    def cycle_succeeded(self, snapshot: CycleSnapshot, cost: Mapping[str, float]) -> None:
        """The cycle ended well: `snapshot` is what it saw, `cost` what it started."""
        now = self._clock.monotonic()
        if self.metrics is not None:
            seconds = now - self._started_at
            self.metrics.cycle_succeeded(snapshot, seconds, self._clock.time(), cost)
        self._change(cycle_started=None, last_end=now, last_ok=True, last_error=None)

    def cycle_failed(self, error: str) -> None:
        """The cycle failed with `error` (already free of secrets)."""
        now = self._clock.monotonic()
        if self.metrics is not None:
            self.metrics.cycle_failed(now - self._started_at)
        self._change(cycle_started=None, last_end=now, last_ok=False, last_error=error)

    def sleeping(self, seconds: float) -> None:
        """The loop sleeps `seconds` before its next cycle."""
        self._change(wake_at=self._clock.monotonic() + seconds)

    def healthz(self) -> Verdict:
        """Alive? (tuneops.service.health)"""
        return liveness(self.state, self.rules, self._clock.monotonic())

    def readyz(self) -> Verdict:
        """Ready? (tuneops.service.health)"""
        return readiness(self.state, self.rules, self._clock.monotonic())


@contextlib.contextmanager
def watching(
    rules: HealthRules, clock: Clock, listen: Listen | None
) -> Iterator[tuple[Watcher, tuple[str, int] | None]]:
    """A watcher for one loop; with `listen`, its metrics and health served there
    (yielded: the bound address and port) and every remote call counted."""
    if listen is None:
        yield Watcher(rules, clock), None
        return
    from tuneops.backends.transport.observer import observing
    from tuneops.service.metrics import Metrics
    from tuneops.service.server import serving

    watcher = Watcher(rules, clock, Metrics())
    assert watcher.metrics is not None
    with (
        serving(listen, watcher.metrics.registry, watcher.healthz, watcher.readyz) as bound,
        observing(watcher.metrics),
    ):
        yield watcher, bound
