"""Pure: what the catalogue says about one base model on one backend, on one day.

A verdict is data (a code and the facts behind it); the spec checks turn it into
positioned diagnostics and the views into sentences.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from tuneops.catalogue.entries import Catalogue, CatalogueModel, ModelStatus, Offering, Source

# The enum names Vertex uses for LoRA adapter sizes, by rank.
ADAPTER_SIZES: Mapping[str, int] = {
    "ADAPTER_SIZE_ONE": 1,
    "ADAPTER_SIZE_TWO": 2,
    "ADAPTER_SIZE_FOUR": 4,
    "ADAPTER_SIZE_EIGHT": 8,
    "ADAPTER_SIZE_SIXTEEN": 16,
    "ADAPTER_SIZE_THIRTY_TWO": 32,
}


class VerdictCode(str, enum.Enum):
    """What the catalogue says, as a stable code (JSON output, docs/output-formats.md)."""

    AVAILABLE = "model-available"
    UNKNOWN = "model-unknown"
    NOT_TUNABLE = "model-not-tunable"
    DEPRECATED = "model-deprecated"
    RETIRED = "model-retired"


class Verdict(NamedTuple):
    """The catalogue's word on `base_model` for new tuning jobs on `backend`.

    `last_day` is the last day a job may start (deprecated, retired); `source`
    is the page the lifecycle (or tuning) facts came from.
    """

    code: VerdictCode
    base_model: str
    backend: str
    catalogue_read_on: date
    model: CatalogueModel | None = None
    last_day: date | None = None
    successor: str | None = None
    source: Source | None = None

    @property
    def blocks(self) -> bool:
        """Whether the service will refuse a new job: a retired or untunable model."""
        return self.code in (VerdictCode.RETIRED, VerdictCode.NOT_TUNABLE)


def tuning_verdict(catalogue: Catalogue, base_model: str, backend: str, today: date) -> Verdict:
    """Whether a new tuning job of `base_model` may start on `backend` `today`."""
    model = catalogue.find(base_model)
    offering = model.on(backend) if model else None
    common: dict[str, Any] = {
        "base_model": base_model,
        "backend": backend,
        "catalogue_read_on": catalogue.read_on,
        "model": model,
    }
    if model is None:
        return Verdict(VerdictCode.UNKNOWN, **common)
    if offering is None:
        successor = _recommended(catalogue, backend, model.id)
        return Verdict(VerdictCode.NOT_TUNABLE, **common, successor=successor)
    lifecycle = offering.lifecycle
    facts: dict[str, Any] = {
        "last_day": lifecycle.last_tuning_day if lifecycle else None,
        "successor": (lifecycle.successor if lifecycle else None)
        or _recommended(catalogue, backend, model.id),
        "source": lifecycle.source if lifecycle else _tuning_source(offering),
    }
    if offering.tuning is not None and not offering.tuning.methods:
        if lifecycle is None or lifecycle.last_tuning_day is None:
            return Verdict(VerdictCode.NOT_TUNABLE, **common, **facts)
        return Verdict(VerdictCode.RETIRED, **common, **facts)
    status = offering.tuning_status(today, catalogue.window)
    code = {
        ModelStatus.AVAILABLE: VerdictCode.AVAILABLE,
        ModelStatus.DEPRECATED: VerdictCode.DEPRECATED,
        ModelStatus.RETIRED: VerdictCode.RETIRED,
    }[status]
    return Verdict(code, **common, **facts)


def _recommended(catalogue: Catalogue, backend: str, instead_of: str) -> str | None:
    """The recommended model, as the way out of `instead_of` (None if that is it)."""
    found = catalogue.recommended.get(backend) or catalogue.recommended.get("vertex")
    return None if found == instead_of else found


def _tuning_source(offering: Offering) -> Source | None:
    return offering.tuning.source if offering.tuning else None


class RangeProblem(NamedTuple):
    """A hyper-parameter the model does not accept: where (under `hyperParameters`) and why."""

    field: str
    value: Any
    allowed: str
    source: Source


def hyper_parameter_problems(offering: Offering, hyper: Mapping[str, Any]) -> list[RangeProblem]:
    """Each hyper-parameter in `hyper` (a spec's `hyperParameters`) outside the model's ranges."""
    tuning = offering.tuning
    if tuning is None:
        return []
    problems: list[RangeProblem] = []
    size = hyper.get("adapterSize")
    rank = ADAPTER_SIZES.get(size) if isinstance(size, str) else None
    if rank is not None and tuning.adapter_sizes and rank not in tuning.adapter_sizes:
        allowed = ", ".join(str(s) for s in tuning.adapter_sizes)
        problems.append(RangeProblem("adapterSize", size, allowed, tuning.source))
    for key, bounds in (
        ("epochCount", tuning.epoch_count),
        ("learningRateMultiplier", tuning.learning_rate_multiplier),
    ):
        value = hyper.get(key)
        if bounds is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if not bounds.contains(value):
            low = "" if bounds.minimum is None else f"{_number(bounds.minimum)}"
            high = "" if bounds.maximum is None else f"{_number(bounds.maximum)}"
            problems.append(RangeProblem(key, value, f"{low}..{high}", tuning.source))
    return problems


def _number(value: float) -> str:
    return f"{value:g}"
