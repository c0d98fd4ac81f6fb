"""Running the promotion gate of one finished revision: the pure verdict on its
scores (core/promotion.py), then the smoke test against the endpoint it would serve.

The smoke test is part of the gate: it is asked only when the scores pass, and of
the endpoint that would really serve (a chosen checkpoint's, not the model's own).
"""

from __future__ import annotations

from dataclasses import dataclass

from tuneops.backends.shared.protocol import Backend
from tuneops.core.jobs import RemoteJob
from tuneops.core.promotion import GateVerdict, judge
from tuneops.lockfile.file import Revision
from tuneops.specs.models import VertexSpec


@dataclass(frozen=True, slots=True)
class GateRun:
    """The verdict, and the smoke test's outcome when one ran (`passed`/`failed`)."""

    verdict: GateVerdict
    smoke_test: str | None = None
    answer: str | None = None

    @property
    def passed(self) -> bool:
        """Scores and smoke test both passed."""
        return self.verdict.passed and self.smoke_test != "failed"


def run_gate(
    backend: Backend, spec: VertexSpec, job: RemoteJob, active: Revision | None
) -> GateRun:
    """The gate's outcome for `job`, a succeeded revision of `spec`."""
    verdict = judge(spec, job, active)
    smoke = spec.smoke_test
    if not verdict.passed or smoke is None:
        return GateRun(verdict)
    target = verdict.serving.endpoint or job.endpoint or job.name
    answer = backend.generate(target, smoke.prompt)
    return GateRun(verdict, "passed" if smoke.expect.met_by(answer) else "failed", answer)
