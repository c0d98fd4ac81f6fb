"""The Gemini API is paced by its own limits, not by Vertex AI's regional quotas."""

from __future__ import annotations

import pytest

from tests.backends.conftest import BackendFactory, options
from tests.backends.support import FakeClock
from tuneops.backends.construction import BackendOptions
from tuneops.backends.gemini.client import GEMINI_REQUESTS
from tuneops.backends.transport.pacing import RateLimit
from tuneops.backends.vertex.client import VERTEX_REQUESTS
from tuneops.specs.kinds import BackendKind as Kind

CALLS = 30


@pytest.mark.parametrize(
    ("kind", "limit"), [(Kind.GEMINI, GEMINI_REQUESTS), (Kind.VERTEX, VERTEX_REQUESTS)]
)
def test_each_backend_paces_its_calls_by_its_own_quota(
    make_backend: BackendFactory, clock: FakeClock, kind: Kind, limit: RateLimit
) -> None:
    default_limits = BackendOptions(transport=options().transport)
    backend = make_backend(kind, options=default_limits)
    for _ in range(CALLS):
        backend.list_jobs("prod", "acme-ml", "us-central1")
    # After the burst, each call waits one interval of its own quota.
    expected = (CALLS - limit.burst) * 60 / limit.per_minute
    assert sum(clock.sleeps) == pytest.approx(expected, rel=0.05)
