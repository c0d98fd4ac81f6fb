"""The emulator's settings: one frozen value shared by every part of the server."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

GEMINI_TUNING_UNAVAILABLE = "unavailable"
GEMINI_TUNING_AVAILABLE = "available"
GEMINI_TUNING_CHOICES = (GEMINI_TUNING_UNAVAILABLE, GEMINI_TUNING_AVAILABLE)


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    """How an emulator instance listens, keeps state and paces its jobs.

    The durations are in virtual seconds: a job created now is PENDING for
    `queue_seconds`, RUNNING for `job_seconds`, and a cancel takes `cancel_seconds`.
    Each job keeps the durations it was created with, so restarting with other
    values only affects new jobs. With `frozen_clock` the virtual clock starts at a
    fixed instant and moves only through the control API (deterministic tests).
    With `require_quota_project`, a bearer token on the Gemini API counts as a
    user's credentials, which the real service refuses without a quota project
    (`x-goog-user-project`).

    Base models come from the catalogue file (`catalogue_path`, default the one
    tuneops ships). The Gemini API tunes no model today (`gemini_tuning`
    "unavailable"); "available" answers `tunedModels.create` for the models the
    catalogue lists as tuned by the Gemini API, as the service did until 2025.
    (`x-goog-user-project`). `max_concurrent_jobs` caps the Vertex jobs that are
    pending or running per project and location, as the service's quota does; a
    create beyond it is refused with 429 RESOURCE_EXHAUSTED (None: no limit).
    """

    host: str = "127.0.0.1"
    port: int = 0
    state_path: Path | None = None
    queue_seconds: float = 2.0
    job_seconds: float = 30.0
    cancel_seconds: float = 1.0
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    seed: int = 0
    project_number: int = 123456789012
    auth: bool = True
    gemini_tuning: str = GEMINI_TUNING_UNAVAILABLE
    catalogue_path: Path | None = None
    frozen_clock: bool = False
    require_quota_project: bool = False
    max_concurrent_jobs: int | None = None

    def __post_init__(self) -> None:
        for name in ("queue_seconds", "job_seconds", "cancel_seconds", "latency_ms"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value}")
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError(f"fail_rate must be between 0 and 1, got {self.fail_rate}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {self.port}")
        if self.gemini_tuning not in GEMINI_TUNING_CHOICES:
            raise ValueError(
                f"gemini_tuning must be {' or '.join(GEMINI_TUNING_CHOICES)}, "
                f"got {self.gemini_tuning!r}"
            )
        if self.max_concurrent_jobs is not None and self.max_concurrent_jobs < 1:
            raise ValueError(
                f"max_concurrent_jobs must be at least 1, got {self.max_concurrent_jobs}"
            )
        if self.project_number <= 0:
            raise ValueError(f"project_number must be positive, got {self.project_number}")
