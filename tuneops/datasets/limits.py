"""Google's published limits on supervised-tuning datasets, per base model.

Source: "About supervised fine-tuning for Gemini models", Vertex AI documentation
(cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning),
read 2026-12-02; the table is repeated in docs/datasets.md.
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ModelLimits:
    """What one base model accepts in a tuning dataset."""

    family: str
    max_tokens_per_example: int
    max_validation_examples: int
    max_file_bytes: int
    max_text_examples: int
    max_multimodal_examples: int


_GEMINI_25 = {
    "max_tokens_per_example": 131_072,
    "max_validation_examples": 5_000,
    "max_file_bytes": GIB,
    "max_text_examples": 1_000_000,
    "max_multimodal_examples": 300_000,
}
_GEMINI_20 = {**_GEMINI_25, "max_tokens_per_example": 131_072}

# Longest prefix first, so gemini-2.5-flash-lite is not taken for gemini-2.5-flash.
KNOWN_LIMITS: tuple[ModelLimits, ...] = (
    ModelLimits("gemini-2.5-flash-lite", **_GEMINI_25),
    ModelLimits("gemini-2.5-flash", **_GEMINI_25),
    ModelLimits("gemini-2.5-pro", **_GEMINI_25),
    ModelLimits("gemini-2.0-flash-lite", **_GEMINI_20),
    ModelLimits("gemini-2.0-flash", **_GEMINI_20),
)
# A model tuneops does not know yet is held to the current generation's limits:
# checking against them catches broken lines, and the service has the last word.
FALLBACK_LIMITS = ModelLimits("gemini", **_GEMINI_25)


def limits_for(base_model: str) -> ModelLimits:
    """The limits of `base_model` (`gemini-2.5-flash`, `gemini-2.5-flash-001`, a
    `publishers/google/models/...` name), or the current generation's."""
    model_id = base_model.rsplit("/", 1)[-1]
    for limits in KNOWN_LIMITS:
        if model_id == limits.family or model_id.startswith(limits.family + "-"):
            return limits
    return FALLBACK_LIMITS
