"""The README and docs name only models Vertex AI tunes today (per the catalogue), and
their spec examples use the catalogue's recommended model; docs/models.md, the
catalogue's own page, is the one place retired models are listed."""

from __future__ import annotations

import re
from pathlib import Path

from tuneops.catalogue import ModelStatus, shipped_catalogue

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MODEL_ID = re.compile(r"gemini-[0-9][a-z0-9.-]*[a-z0-9]")


def _tunable_ids() -> set[str]:
    catalogue = shipped_catalogue()
    return {
        model.id
        for model in catalogue.models
        if (offering := model.on("vertex")) is not None
        and offering.tuning_status(catalogue.read_on, catalogue.window) is ModelStatus.AVAILABLE
    }


def test_pages_name_only_models_vertex_tunes_today() -> None:
    tunable = _tunable_ids()
    named = {
        f"{page.relative_to(ROOT)}: {found}"
        for page in PAGES
        if page.name != "models.md"
        for found in MODEL_ID.findall(page.read_text(encoding="utf-8"))
        if found not in tunable
    }
    assert named == set()


def test_spec_examples_use_the_recommended_model() -> None:
    recommended = shipped_catalogue().recommended["vertex"]
    examples = {
        f"{page.relative_to(ROOT)}: {found}"
        for page in PAGES
        for found in re.findall(r"^\s*baseModel: (gemini-\S+)", page.read_text("utf-8"), re.M)
        if found != recommended
    }
    assert examples == set()
