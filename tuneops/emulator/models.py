"""The base models the emulator serves: read from the catalogue's data file.

The emulator shares no code with the client, so this is a small reader of its
own over the same file, `tuneops/catalogue/models.json` (it ships in the
wheel). It keeps only what the services check on create: which backend tunes
a model, by which methods, with which adapter sizes and hyper-parameter ranges,
and the last day a tuning job may start. Release dates are not checked: the
frozen test clock starts in 2025, before the models of today were released.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_FILE = Path(__file__).parents[1] / "catalogue" / "models.json"

# The enum names Vertex gives LoRA adapter sizes, by the rank the catalogue records.
ADAPTER_SIZE_NAMES: Mapping[int, str] = {
    1: "ADAPTER_SIZE_ONE",
    2: "ADAPTER_SIZE_TWO",
    4: "ADAPTER_SIZE_FOUR",
    8: "ADAPTER_SIZE_EIGHT",
    16: "ADAPTER_SIZE_SIXTEEN",
    32: "ADAPTER_SIZE_THIRTY_TWO",
}

# `publishers/google/models/ID` (Vertex, also inside a full resource name),
# `models/ID` (Gemini API) and a pinned version `ID-001` all name `ID`.
_PUBLISHER = "publishers/google/models/"
_VERSION_SUFFIX = re.compile(r"-\d{3}$")


@dataclass(frozen=True, slots=True)
class Bounds:
    """An inclusive range of one hyper-parameter; None on a side is unbounded."""

    minimum: float | None = None
    maximum: float | None = None

    def contains(self, value: float) -> bool:
        """Whether `value` lies inside."""
        low_ok = self.minimum is None or value >= self.minimum
        return low_ok and (self.maximum is None or value <= self.maximum)

    def text(self) -> str:
        """`1..20`, `..20`, `1..`."""
        low = "" if self.minimum is None else f"{self.minimum:g}"
        high = "" if self.maximum is None else f"{self.maximum:g}"
        return f"{low}..{high}"


@dataclass(frozen=True, slots=True)
class Offer:
    """What one backend accepts when a job tunes this model.

    `adapter_sizes` holds enum names (empty: every size); `last_day` is the last
    day a new job may start (None: no announced end).
    """

    methods: frozenset[str]
    adapter_sizes: frozenset[str]
    ranges: Mapping[str, Bounds]
    last_day: date | None

    def retired_since(self, today: date) -> date | None:
        """The day tuning ended, if that day has come by `today`."""
        if self.last_day is None or today <= self.last_day:
            return None
        return self.last_day + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ServedModel:
    """A base model of the catalogue and what each backend that tunes it accepts."""

    id: str
    offers: Mapping[str, Offer]

    def tuned_by(self, backend: str, method: str = "supervised") -> Offer | None:
        """What `backend` accepts when it tunes this model by `method`, if it does."""
        offer = self.offers.get(backend)
        return offer if offer is not None and method in offer.methods else None

    def retired_since(self, offer: Offer, today: date, retired: Mapping[str, date]) -> date | None:
        """The day the model stopped being tunable (through the control API, or its
        last tuning day in the catalogue), if it has by `today`."""
        return retired.get(self.id) or offer.retired_since(today)


@dataclass(frozen=True, slots=True)
class ModelTable:
    """Every catalogue model, found by id or alias in any spelling the services take."""

    models: tuple[ServedModel, ...]
    _names: Mapping[str, ServedModel] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ModelTable:
        """The table of a parsed catalogue file."""
        models: list[ServedModel] = []
        names: dict[str, ServedModel] = {}
        for entry in data.get("models", []):
            offers = {
                backend: _offer(facts) for backend, facts in (entry.get("backends") or {}).items()
            }
            model = ServedModel(str(entry["id"]), offers)
            models.append(model)
            for name in (entry["id"], *(entry.get("aliases") or ())):
                names[str(name)] = model
        return cls(tuple(models), names)

    def find(self, name: str) -> ServedModel | None:
        """The model `name` names, or None when the catalogue does not know it."""
        short = name.rsplit(_PUBLISHER, 1)[-1].removeprefix("models/")
        found = self._names.get(short)
        if found is None and _VERSION_SUFFIX.search(short):
            found = self._names.get(_VERSION_SUFFIX.sub("", short))
        return found


def _offer(facts: Mapping[str, Any]) -> Offer:
    tuning = facts.get("tuning") or {}
    ranges = {
        key: Bounds(tuning[key].get("min"), tuning[key].get("max"))
        for key in ("epochCount", "learningRateMultiplier")
        if tuning.get(key)
    }
    lifecycle = facts.get("lifecycle") or {}
    days = []
    if lifecycle.get("tuningUntil"):
        days.append(_day(lifecycle["tuningUntil"]))
    if lifecycle.get("shutdown"):
        days.append(_day(lifecycle["shutdown"]) - timedelta(days=1))
    return Offer(
        methods=frozenset(tuning.get("methods") or ()),
        adapter_sizes=frozenset(ADAPTER_SIZE_NAMES[n] for n in tuning.get("adapterSizes") or ()),
        ranges=ranges,
        last_day=min(days) if days else None,
    )


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def load_models(path: Path | None = None) -> ModelTable:
    """The model table of a catalogue file: the shipped one unless `path` is given."""
    return _load(path or CATALOGUE_FILE)


@cache
def _load(path: Path) -> ModelTable:
    data = json.loads(path.read_text(encoding="utf-8"))
    return ModelTable.from_data(data if isinstance(data, dict) else {})
