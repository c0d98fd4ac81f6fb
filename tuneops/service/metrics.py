"""The Prometheus metrics of `reconcile --watch`, through prometheus-client.

Counters and the duration histogram accumulate from the start of the process;
the gauges come whole from the last successful cycle's snapshot (a scrape
never sees half a cycle). Every metric and label is described in
docs/running-on-a-schedule.md ("Metrics").
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from tuneops import __version__
from tuneops.backends.transport.observer import CallEvent, CallEventKind
from tuneops.service.snapshot import CycleSnapshot, NoticeKey

# A cycle lists, plans and maybe applies: seconds to minutes.
DURATION_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class _SnapshotCollector(Collector):
    """The gauges of the last successful cycle, built at each scrape from one snapshot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: CycleSnapshot | None = None

    def replace(self, snapshot: CycleSnapshot) -> None:
        with self._lock:
            self._snapshot = snapshot

    def collect(self) -> Iterable[GaugeMetricFamily]:
        with self._lock:
            snapshot = self._snapshot
        if snapshot is None:  # nothing observed yet: absent, not zero
            return
        jobs = GaugeMetricFamily(
            "tuneops_tuning_jobs",
            "Remote tuning jobs of the stack, by spec and state, as the last cycle listed them.",
            labels=("spec", "state"),
        )
        for (spec, state), count in sorted(snapshot.jobs.items()):
            jobs.add_metric((spec, state), count)
        yield jobs
        specs = GaugeMetricFamily(
            "tuneops_specs",
            "Specs by standing: in_sync, out_of_sync, drifted, blocked.",
            labels=("status",),
        )
        for status, count in snapshot.sync_counts().items():
            specs.add_metric((status.value,), count)
        yield specs
        spec_status = GaugeMetricFamily(
            "tuneops_spec_status",
            "1 for each spec's standing after the last cycle (one series per spec).",
            labels=("spec", "status"),
        )
        for spec, status in sorted(snapshot.specs.items()):
            spec_status.add_metric((spec, status.value), 1)
        yield spec_status
        yield GaugeMetricFamily(
            "tuneops_queued_jobs",
            "Specs whose job waits for a free concurrency slot (vertex.maxConcurrentJobs "
            "or the service's quota).",
            value=snapshot.queued,
        )
        yield GaugeMetricFamily(
            "tuneops_live_endpoints",
            "Succeeded jobs of the stack whose tuned model has an endpoint.",
            value=snapshot.live_endpoints,
        )
        yield from _notices(snapshot.notices)


def _notices(notices: Mapping[NoticeKey, dt.date | None]) -> Iterable[GaugeMetricFamily]:
    labels = ("spec", "code", "subject")
    count = GaugeMetricFamily(
        "tuneops_model_notices",
        "Model catalogue notices (model-shutdown-soon, model-shut-down, ...) per spec.",
        labels=labels,
    )
    day = GaugeMetricFamily(
        "tuneops_model_notice_day_timestamp_seconds",
        "The day a model notice is about (shutdown, last tuning day), as Unix time.",
        labels=labels,
    )
    for key, when in sorted(notices.items(), key=lambda item: str(item[0])):
        values = (key.spec, key.code, key.subject)
        count.add_metric(values, 1)
        if when is not None:
            midnight = dt.datetime(when.year, when.month, when.day, tzinfo=dt.timezone.utc)
            day.add_metric(values, midnight.timestamp())
    yield count
    yield day


class Metrics:
    """Every metric of one watch loop, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._snapshot = _SnapshotCollector()
        self.registry.register(self._snapshot)
        info = Gauge(
            "tuneops_build_info",
            "Always 1; the version of tuneops serving these metrics.",
            ("version",),
            registry=self.registry,
        )
        info.labels(__version__).set(1)
        self.cycles = Counter(
            "tuneops_reconcile_cycles",
            "Reconcile cycles run, by result (success or failure).",
            ("result",),
            registry=self.registry,
        )
        self.duration = Histogram(
            "tuneops_reconcile_duration_seconds",
            "How long reconcile cycles took, by result.",
            ("result",),
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.last_success = Gauge(
            "tuneops_last_successful_reconcile_timestamp_seconds",
            "When the last successful reconcile cycle ended, as Unix time.",
            registry=self.registry,
        )
        self.requests = Counter(
            "tuneops_remote_requests",
            "HTTP requests to the remote services, by service and status code ('none': no answer).",
            ("service", "code"),
            registry=self.registry,
        )
        self.retries = Counter(
            "tuneops_remote_retries",
            "Retries of remote calls, by service and the status code that caused them.",
            ("service", "code"),
            registry=self.registry,
        )
        self.cost = Counter(
            "tuneops_estimated_cost_applied",
            "The estimated training cost of the jobs tuneops started, by currency.",
            ("currency",),
            registry=self.registry,
        )
        for result in ("success", "failure"):  # both series from the start, for rate()
            self.cycles.labels(result)
            self.duration.labels(result)

    def cycle_succeeded(
        self, snapshot: CycleSnapshot, seconds: float, ended: float, cost: Mapping[str, float]
    ) -> None:
        """Records a successful cycle: its gauges, duration, end (Unix time) and cost."""
        self._snapshot.replace(snapshot)
        self.cycles.labels("success").inc()
        self.duration.labels("success").observe(seconds)
        self.last_success.set(ended)
        for currency, amount in cost.items():
            self.cost.labels(currency).inc(amount)

    def cycle_failed(self, seconds: float) -> None:
        """Records a failed cycle; the gauges keep what the last good cycle saw."""
        self.cycles.labels("failure").inc()
        self.duration.labels("failure").observe(seconds)

    def observe(self, event: CallEvent) -> None:
        """Counts a remote call's attempt or retry (a `CallObserver`)."""
        counter = self.requests if event.kind is CallEventKind.ANSWERED else self.retries
        counter.labels(event.service, event.code).inc()
