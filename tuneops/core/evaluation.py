"""What a finished tuning job reports beyond its model: checkpoints and evaluation scores.

Plain values, normalised by the backend from the service's answer; the lockfile
records them per revision and the promotion gate reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One exported checkpoint of a tuned model (Vertex AI `tunedModel.checkpoints`)."""

    checkpoint_id: str
    epoch: int | None = None
    step: int | None = None
    endpoint: str | None = None


@dataclass(frozen=True, slots=True)
class CheckpointScores:
    """The evaluation scores of one checkpoint, by metric (tuneops' metric names).

    `checkpoint_id` is None when the service reported scores without naming one.
    """

    checkpoint_id: str | None
    scores: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
