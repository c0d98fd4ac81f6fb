"""What a base model accepts in a tuning dataset, as the checker needs it.

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
    """What one base model accepts in a tuning dataset; `family` names it in messages.

    `max_tokens_per_preference_example` is None only when the catalogue knows no
    preference limit at all; the file limits are shared by both methods (the
    preference page lists the same 1 GB, 10M examples and 5,000 validation
    examples, read 2026-12-06).
    """

    family: str
    max_tokens_per_example: int
    max_validation_examples: int
    max_file_bytes: int
    max_text_examples: int
    max_multimodal_examples: int
    max_tokens_per_preference_example: int | None = None


def _flatten(family: str, limits: DatasetLimits, catalogue: Catalogue) -> ModelLimits:
    return ModelLimits(
        family,
        limits.max_tokens_per_example,
        limits.max_validation_examples,
        limits.max_file_bytes,
        limits.max_text_examples,
        limits.max_multimodal_examples,
        _preference_tokens(limits, catalogue),
    )


def _preference_tokens(limits: DatasetLimits, catalogue: Catalogue) -> int | None:
    """The model's own preference limit, else the one Google's page gives its models.

    The preference page states one limit for every model it lists, so a model
    without one of its own (not tuned by preference, or unknown) is held to it;
    whether the model can be tuned by preference at all is the spec's check.
    """
    if limits.preference is not None:
        return limits.preference.max_tokens_per_example
    for model in catalogue.models:
        offering = model.on(VERTEX)
        if offering and offering.datasets and offering.datasets.preference:
            return offering.datasets.preference.max_tokens_per_example
    return None


def fallback_limits(catalogue: Catalogue | None = None) -> ModelLimits:
    """The limits of the recommended Vertex model, for a model the catalogue lacks.

    Checking against them catches broken lines; the service has the last word.
    """
    catalogue = catalogue or shipped_catalogue()
    model = catalogue.recommended_model(VERTEX)
    offering = model.on(VERTEX)
    assert offering is not None and offering.datasets is not None, "checked by the schema test"
    return _flatten("gemini", offering.datasets, catalogue)


def limits_for(base_model: str, catalogue: Catalogue | None = None) -> ModelLimits:
    """The limits of `base_model` in any spelling the services accept (`ID`,
    `ID-001`, `publishers/google/models/ID`), or `fallback_limits`."""
    catalogue = catalogue or shipped_catalogue()
    model = catalogue.find(base_model)
    offering = model.on(VERTEX) if model else None
    if model is None or offering is None or offering.datasets is None:
        return fallback_limits(catalogue)
    return _flatten(model.id, offering.datasets, catalogue)
