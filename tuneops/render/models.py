"""`tuneops models`: the model catalogue as a table, JSON or Markdown, and `--check`'s findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tuneops.catalogue import Catalogue, CatalogueModel, ModelStatus, Offering, Source
from tuneops.console import Console
from tuneops.core.model_notices import ModelNotice
from tuneops.render.document import json_document
from tuneops.render.model_notices import notice_line

_PREFERRED = ("vertex", "gemini")  # which backend's facts a row shows first


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One model as `tuneops models` shows it: the facts of the backend that tunes it."""

    id: str
    backends: tuple[str, ...]
    methods: tuple[str, ...]
    status: ModelStatus
    shutdown: date | None
    successor: str | None
    adapter_sizes: tuple[int, ...]
    price: float | None
    source: Source | None

    def to_data(self) -> dict[str, Any]:
        """The JSON object of the row (docs/output-formats.md)."""
        return {
            "id": self.id,
            "backends": list(self.backends),
            "methods": list(self.methods),
            "status": self.status.value,
            "shutdown": self.shutdown.isoformat() if self.shutdown else None,
            "successor": self.successor,
            "adapterSizes": list(self.adapter_sizes),
            "trainingPricePerMillionTokens": self.price,
            "source": self.source.url if self.source else None,
            "readOn": self.source.read_on.isoformat()
            if self.source and self.source.read_on
            else None,
        }


def _tuned_on(model: CatalogueModel) -> tuple[str, ...]:
    """The backends that tune `model` (whatever the day)."""
    return tuple(b for b in _PREFERRED if (o := model.on(b)) and o.tuning and o.tuning.methods)


def _primary(model: CatalogueModel) -> Offering:
    """The offering whose facts describe the model: the first that tunes it, else any."""
    backend = (_tuned_on(model) or tuple(b for b in _PREFERRED if model.on(b)))[0]
    offering = model.on(backend)
    assert offering is not None, "the catalogue schema gives every model a backend"
    return offering


def model_rows(catalogue: Catalogue, today: date) -> tuple[ModelRow, ...]:
    """A row per model, with its tuning status `today`; tunable models first."""
    rows: list[ModelRow] = []
    for model in catalogue.models:
        offering = _primary(model)
        lifecycle, tuning, price = offering.lifecycle, offering.tuning, offering.price
        groups = (lifecycle, tuning, offering.datasets, price)
        rows.append(
            ModelRow(
                id=model.id,
                backends=_tuned_on(model),
                methods=tuple(sorted(m.value for m in tuning.methods)) if tuning else (),
                status=offering.tuning_status(today, catalogue.window),
                shutdown=(lifecycle.shutdown or lifecycle.tuning_until) if lifecycle else None,
                successor=lifecycle.successor if lifecycle else None,
                adapter_sizes=tuning.adapter_sizes if tuning else (),
                price=price.training_per_million_tokens if price else None,
                source=next((group.source for group in groups if group is not None), None),
            )
        )
    order = {ModelStatus.AVAILABLE: 0, ModelStatus.DEPRECATED: 1, ModelStatus.RETIRED: 2}
    return tuple(sorted(rows, key=lambda r: order[r.status]))


_HEAD = ("MODEL", "BACKENDS", "METHODS", "STATUS", "SHUTDOWN", "SUCCESSOR", "ADAPTERS", "$/1M")


def _cells(row: ModelRow) -> tuple[str, ...]:
    return (
        row.id,
        ",".join(row.backends) or "-",
        ",".join(row.methods) or "-",
        row.status.value,
        row.shutdown.isoformat() if row.shutdown else "-",
        row.successor or "-",
        ",".join(str(s) for s in row.adapter_sizes) or "-",
        f"{row.price:.2f}" if row.price is not None else "?",
    )


def render_table(rows: Sequence[ModelRow], catalogue: Catalogue, day: date) -> str:
    """The catalogue as a text table, and the day it was read."""
    cells = [_HEAD, *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_HEAD))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells
    ]
    lines.append(
        f"catalogue read on {catalogue.read_on}; status on {day}, deprecated from "
        f"{catalogue.warning_days} days before the last day; sources: --format json"
    )
    return "\n".join(lines)


def render_json(rows: Sequence[ModelRow], catalogue: Catalogue, day: date) -> str:
    """`{"formatVersion", "command", "catalogueReadOn", "asOf", "models": [...]}`."""
    body = {
        "catalogueReadOn": catalogue.read_on.isoformat(),
        "asOf": day.isoformat(),
        "warningDays": catalogue.warning_days,
        "models": [row.to_data() for row in rows],
    }
    return json_document("models", body)


def render_markdown(rows: Sequence[ModelRow], catalogue: Catalogue, day: date) -> str:
    """The table docs/models.md holds (a test keeps the two equal)."""
    lines = [
        f"_Model catalogue read on {catalogue.read_on}; status on {day}._",
        "",
        "| model | backends | methods | status | shutdown | successor | adapter sizes "
        "| training $ per 1M tokens | source |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = list(_cells(row))
        cells[0] = f"`{row.id}`"
        source = f"[{row.source.read_on}]({row.source.url})" if row.source else "-"
        lines.append("| " + " | ".join([*cells, source]) + " |")
    return "\n".join(lines)


def render_check(findings: Sequence[ModelNotice], catalogue: Catalogue, fmt: str) -> str:
    """`tuneops models --check`: each use of a model going or gone."""
    if fmt == "json":
        body = {
            "catalogueReadOn": catalogue.read_on.isoformat(),
            "past": sum(f.past for f in findings),
            "findings": [f.to_data() for f in findings],
        }
        return json_document("models", body)
    if not findings:
        return (
            "no spec or endpoint uses a model near or past its shutdown "
            f"(catalogue read on {catalogue.read_on})"
        )
    return "\n".join(f"{'error' if f.past else 'warning'}: {notice_line(f)}" for f in findings)


_CATALOGUE_VIEWS = {"text": render_table, "json": render_json, "markdown": render_markdown}


def show_catalogue(
    rows: Sequence[ModelRow], catalogue: Catalogue, day: date, fmt: str, console: Console
) -> None:
    """`tuneops models`' view of the catalogue, chosen once from `--format`."""
    console.result(_CATALOGUE_VIEWS[fmt](rows, catalogue, day))
