"""What a base model accepts in a supervised-tuning dataset, as the checker needs it.

The facts come from the model catalogue (tuneops/catalogue/models.json), which
records the page each was read from and the day; this module only picks the
entry for a base model and flattens it for the streaming checker.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuneops.catalogue import Catalogue, DatasetLimits, shipped_catalogue

VERTEX = "vertex"  # the only backend whose datasets tuneops checks line by line


@dataclass(frozen=True, slots=True)
class ModelLimits:
    """What one base model accepts in a tuning dataset; `family` names it in messages."""

    family: str
    max_tokens_per_example: int
    max_validation_examples: int
    max_file_bytes: int
    max_text_examples: int
    max_multimodal_examples: int


def _flatten(family: str, limits: DatasetLimits) -> ModelLimits:
    return ModelLimits(
        family,
        limits.max_tokens_per_example,
        limits.max_validation_examples,
        limits.max_file_bytes,
        limits.max_text_examples,
        limits.max_multimodal_examples,
    )


def fallback_limits(catalogue: Catalogue | None = None) -> ModelLimits:
    """The limits of the recommended Vertex model, for a model the catalogue lacks.

    Checking against them catches broken lines; the service has the last word.
    """
    catalogue = catalogue or shipped_catalogue()
    model = catalogue.recommended_model(VERTEX)
    offering = model.on(VERTEX)
    assert offering is not None and offering.datasets is not None, "checked by the schema test"
    return _flatten("gemini", offering.datasets)


def limits_for(base_model: str, catalogue: Catalogue | None = None) -> ModelLimits:
    """The limits of `base_model` in any spelling the services accept (`ID`,
    `ID-001`, `publishers/google/models/ID`), or `fallback_limits`."""
    catalogue = catalogue or shipped_catalogue()
    model = catalogue.find(base_model)
    offering = model.on(VERTEX) if model else None
    if model is None or offering is None or offering.datasets is None:
        return fallback_limits(catalogue)
    return _flatten(model.id, offering.datasets)
