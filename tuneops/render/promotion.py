"""The words of `tuneops promote`."""

from __future__ import annotations

import json

from tuneops.console import Console
from tuneops.render.document import OUTPUT_FORMAT_VERSION
from tuneops.render.evaluation import results_data
from tuneops.runtime.manual_promotion import ManualPromotion, PromotionCode


def promotion_text(result: ManualPromotion) -> str:
    """One line: what is active now, and what it replaced."""
    revision = result.revision
    if result.code is PromotionCode.ALREADY_ACTIVE:
        return f"{result.name}: {revision.job} is already active; nothing changed"
    where = f" (checkpoint {revision.checkpoint})" if revision.checkpoint else ""
    endpoint = revision.endpoint or "no endpoint recorded"
    before = f"; it replaces {result.displaced.job}" if result.displaced else ""
    return f"{result.name}: promoted {revision.job} by hand, serving {endpoint}{where}{before}"


def promotion_json(result: ManualPromotion) -> str:
    """The JSON document of `tuneops promote --format json`."""
    document = {
        "formatVersion": OUTPUT_FORMAT_VERSION,
        "command": "promote",
        "name": result.name,
        "result": result.code.value,
        "active": results_data(result.revision),
        "endpoint": result.revision.endpoint,
        "displaced": result.displaced.job if result.displaced else None,
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def show_promotion(result: ManualPromotion, fmt: str, console: Console) -> None:
    """`tuneops promote`'s view, chosen once from `--format`."""
    console.result(promotion_json(result) if fmt == "json" else promotion_text(result))
