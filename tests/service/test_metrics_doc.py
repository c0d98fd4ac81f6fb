"""docs/running-on-a-schedule.md names only metrics the watch loop serves, and every
metric it serves is in the doc's table."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import MappingProxyType

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tuneops.backends.transport.observer import CallEvent, CallEventKind
from tuneops.service.metrics import Metrics
from tuneops.service.snapshot import CycleSnapshot, NoticeKey, SpecSync

DOC = Path(__file__).parents[2] / "docs" / "running-on-a-schedule.md"


def served() -> dict[str, str]:
    """Every sample name a loop serves once it saw a cycle, a call and a notice, by
    the family it belongs to."""
    metrics = Metrics()
    snapshot = CycleSnapshot(
        jobs=MappingProxyType({("bot", "running"): 1}),
        specs=MappingProxyType({"bot": SpecSync.IN_SYNC}),
        notices=MappingProxyType(
            {NoticeKey("bot", "model-shutdown-soon", "endpoint"): dt.date(2027, 1, 1)}
        ),
    )
    metrics.cycle_succeeded(snapshot, 1.5, 1_800_000_000.0, {"USD": 2.5})
    metrics.cycle_failed(0.5)
    for kind in CallEventKind:
        metrics.observe(CallEvent(kind, "vertex", "GET", "503", 1, "abc"))
    text = generate_latest(metrics.registry).decode("utf-8")
    return {
        sample.name: family.name
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_the_doc_names_only_served_metrics_and_documents_each() -> None:
    doc = DOC.read_text("utf-8")
    names = served()
    mentioned = set(re.findall(r"\btuneops_[a-z_]+[a-z]\b", doc))
    assert mentioned - set(names) - set(names.values()) == set()
    table = set(re.findall(r"^\| `(tuneops_[a-z_]+)` \|", doc, re.MULTILINE))
    documented = {name for name in names if not name.endswith("_created")}
    families = {name for name in documented if name in table}
    histogram = {
        "tuneops_reconcile_duration_seconds" + end for end in ("_bucket", "_count", "_sum")
    }
    assert documented - families - histogram == set()


def test_a_notice_day_is_midnight_utc() -> None:
    metrics = Metrics()
    key = NoticeKey("bot", "model-shutdown-soon", "endpoint")
    snapshot = CycleSnapshot(notices=MappingProxyType({key: dt.date(2027, 1, 1)}))
    metrics.cycle_succeeded(snapshot, 1.0, 0.0, {})
    text = generate_latest(metrics.registry).decode("utf-8")
    [family] = [
        f
        for f in text_string_to_metric_families(text)
        if f.name == "tuneops_model_notice_day_timestamp_seconds"
    ]
    [sample] = family.samples
    assert sample.value == dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc).timestamp()
    assert sample.labels == {"spec": "bot", "code": "model-shutdown-soon", "subject": "endpoint"}
