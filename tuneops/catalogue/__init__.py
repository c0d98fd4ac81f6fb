"""The model catalogue: the one place tuneops names a Google model.

`shipped_catalogue()` reads `models.json` once; `with_changes` applies what a
project's tuneops.yaml adds or overrides. Everything that knows about a model
(validate, plan notes and costs, init, the dataset checks, `tuneops models`,
the docs) asks it.
"""

from __future__ import annotations

from tuneops.catalogue.entries import (
    Catalogue,
    CatalogueModel,
    DatasetLimits,
    Lifecycle,
    Method,
    ModelStatus,
    Offering,
    PreferenceLimits,
    Price,
    Range,
    Source,
    Sunset,
    Tuning,
)
from tuneops.catalogue.loading import CATALOGUE_FILE, shipped_catalogue, with_changes

__all__ = [
    "CATALOGUE_FILE",
    "Catalogue",
    "CatalogueModel",
    "DatasetLimits",
    "Lifecycle",
    "Method",
    "ModelStatus",
    "Offering",
    "PreferenceLimits",
    "Price",
    "Range",
    "Source",
    "Sunset",
    "Tuning",
    "shipped_catalogue",
    "with_changes",
]
