"""The model catalogue as frozen values: what Google says about each base model.

Every group of facts carries the `Source` it was read from and the day it was
read, because Google's models, limits and prices are dated facts: a reader of
a warning must be able to check it against the page it came from.

The groups of facts are typed named tuples rather than dataclasses: `validate`
imports this module on every run, and a named tuple costs a tenth of a frozen
dataclass to define (start-up, docs/performance.md).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

# `publishers/google/models/ID` (Vertex), `models/ID` (Gemini API) and a pinned
# version such as `ID-001` all name the catalogue's `ID`.
_PREFIXES = ("publishers/google/models/", "models/")
_VERSION_SUFFIX = re.compile(r"-\d{3}$")


class Method(str, enum.Enum):
    """How a model can be tuned."""

    SUPERVISED = "supervised"
    PREFERENCE = "preference"


class ModelStatus(str, enum.Enum):
    """Where a model stands on one backend on a given day.

    `deprecated`: its last tuning day (or shutdown) is announced and falls
    within the warning window; `retired`: that day has passed.
    """

    AVAILABLE = "available"
    DEPRECATED = "deprecated"
    RETIRED = "retired"


class Source(NamedTuple):
    """Where a fact was read, and on which day (None: given in tuneops.yaml)."""

    url: str
    read_on: date | None = None


LOCAL_SOURCE = Source("tuneops.yaml")


class Range(NamedTuple):
    """An inclusive range of a hyper-parameter; None on a side means unbounded."""

    minimum: float | None = None
    maximum: float | None = None

    def contains(self, value: float) -> bool:
        """Whether `value` lies inside the range."""
        low_ok = self.minimum is None or value >= self.minimum
        return low_ok and (self.maximum is None or value <= self.maximum)


class Tuning(NamedTuple):
    """What a backend's tuning API accepts for a model."""

    methods: frozenset[Method]
    adapter_sizes: tuple[int, ...]
    epoch_count: Range | None
    learning_rate_multiplier: Range | None
    source: Source


class PreferenceLimits(NamedTuple):
    """What one base model accepts in a preference-tuning dataset, beyond the file limits."""

    max_tokens_per_example: int
    source: Source


class DatasetLimits(NamedTuple):
    """What one base model accepts in a tuning dataset; `preference` where it is tuned so."""

    max_tokens_per_example: int
    max_validation_examples: int
    max_file_bytes: int
    max_text_examples: int
    max_multimodal_examples: int
    modalities: tuple[str, ...]
    source: Source
    preference: PreferenceLimits | None = None


class Price(NamedTuple):
    """The training price per million tokens on one backend."""

    training_per_million_tokens: float
    currency: str
    source: Source


class Lifecycle(NamedTuple):
    """When a model came, and when it stops being tunable or served.

    `tuning_until` is the last day a new tuning job may start; `shutdown` the
    day the model (and what was tuned from it) stops being served.
    """

    source: Source
    released: date | None = None
    tuning_until: date | None = None
    shutdown: date | None = None
    successor: str | None = None

    @property
    def last_tuning_day(self) -> date | None:
        """The earlier of `tuning_until` and the day before `shutdown`."""
        days = [d for d in (self.tuning_until, self.shutdown and _before(self.shutdown)) if d]
        return min(days) if days else None


def _before(day: date) -> date:
    return day - timedelta(days=1)


class Offering(NamedTuple):
    """A model as one backend offers it; a group is None when the catalogue has no fact."""

    tuning: Tuning | None = None
    datasets: DatasetLimits | None = None
    price: Price | None = None
    lifecycle: Lifecycle | None = None

    def tuning_status(self, today: date, window: timedelta) -> ModelStatus:
        """Whether a new tuning job on this model can start `today`.

        An empty list of methods means the backend does not tune the model; no
        tuning facts at all (a model added in tuneops.yaml with a price only)
        leave it to the lifecycle.
        """
        if self.tuning is not None and not self.tuning.methods:
            return ModelStatus.RETIRED
        last = self.lifecycle.last_tuning_day if self.lifecycle else None
        return _status(last, today, window)

    def serving_status(self, today: date, window: timedelta) -> ModelStatus:
        """Whether what was tuned from this model is still served `today`."""
        shutdown = self.lifecycle.shutdown if self.lifecycle else None
        return _status(shutdown and _before(shutdown), today, window)


def _status(last_day: date | None, today: date, window: timedelta) -> ModelStatus:
    if last_day is None:
        return ModelStatus.AVAILABLE
    if today > last_day:
        return ModelStatus.RETIRED
    return ModelStatus.DEPRECATED if last_day - today <= window else ModelStatus.AVAILABLE


class Sunset(NamedTuple):
    """A backend whose tuning API tunes no model any more, since `since`."""

    since: date
    source: Source


class CatalogueModel(NamedTuple):
    """One base model: its id, other names, and what each backend offers of it."""

    id: str
    aliases: tuple[str, ...]
    offerings: Mapping[str, Offering]

    def on(self, backend: str) -> Offering | None:
        """What `backend` (`vertex`, `gemini`) offers of this model, if anything."""
        return self.offerings.get(backend)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every model tuneops knows, as of `read_on`, and each backend's recommended one."""

    format_version: int
    read_on: date
    models: tuple[CatalogueModel, ...]
    recommended: Mapping[str, str]
    warning_days: int = 60
    sunsets: Mapping[str, Sunset] = field(default_factory=dict)
    _by_name: Mapping[str, CatalogueModel] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {name: model for model in self.models for name in (model.id, *model.aliases)}
        object.__setattr__(self, "_by_name", names)

    @property
    def window(self) -> timedelta:
        """How long before a last day the catalogue warns."""
        return timedelta(days=self.warning_days)

    def find(self, base_model: str) -> CatalogueModel | None:
        """The model `base_model` names, in any of the spellings the services accept."""
        name = base_model
        for prefix in _PREFIXES:
            name = name.removeprefix(prefix)
        found = self._by_name.get(name)
        if found is None and _VERSION_SUFFIX.search(name):
            found = self._by_name.get(_VERSION_SUFFIX.sub("", name))
        return found

    def offering(self, base_model: str, backend: str) -> Offering | None:
        """What `backend` offers of `base_model`, or None when the catalogue has no word."""
        model = self.find(base_model)
        return model.on(backend) if model else None

    def recommended_model(self, backend: str) -> CatalogueModel:
        """The model `init` and the docs use on `backend`."""
        found = self.find(self.recommended[backend])
        assert found is not None, "the catalogue schema requires the recommended model"
        return found
