"""Reading the model catalogue: the shipped file once, then tuneops.yaml's changes.

The shipped `models.json` is checked against `schemas/catalogue.schema.json` by
the tests, not at run time (it cannot change without a release); what a project
adds under `catalogue:` in tuneops.yaml is checked by the configuration schema
before it reaches `with_changes`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from tuneops.catalogue.entries import (
    LOCAL_SOURCE,
    Catalogue,
    CatalogueModel,
    DatasetLimits,
    Lifecycle,
    Method,
    Offering,
    PreferenceLimits,
    Price,
    Range,
    Source,
    Sunset,
    Tuning,
)

# JSON, not YAML: `validate` reads it on every run, and JSON parses ~30x faster.
CATALOGUE_FILE = Path(__file__).with_name("models.json")
FORMAT_VERSION = 1

_Data = Mapping[str, Any]


@cache
def shipped_data() -> _Data:
    """The shipped catalogue as plain data."""
    data: _Data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return data


@cache
def shipped_catalogue() -> Catalogue:
    """The catalogue tuneops ships, parsed once per process."""
    return build(shipped_data())


def with_changes(base: Catalogue, changes: _Data | None) -> Catalogue:
    """`base` with a project's `catalogue:` settings: models added or facts replaced.

    A model named by id or alias is changed group by group (`tuning`, `price`, ...),
    field by field; an unknown id is a new model. Facts given here cite
    tuneops.yaml unless they name a source of their own.
    """
    if not changes:
        return base
    sources = _sources(shipped_data())
    models = {model.id: model for model in base.models}
    for entry in changes.get("models") or ():
        known = base.find(entry["id"])
        if known is None:
            models[entry["id"]] = _model(entry, sources)
        else:
            models[known.id] = _changed(known, entry, sources)
    return replace(
        base,
        models=tuple(models.values()),
        recommended={**base.recommended, **(changes.get("recommended") or {})},
        warning_days=changes.get("warningDays", base.warning_days),
    )


def build(data: _Data) -> Catalogue:
    """The catalogue described by schema-valid `data`."""
    version = data["formatVersion"]
    if version != FORMAT_VERSION:
        raise ValueError(f"catalogue format {version} is not {FORMAT_VERSION}")
    sources = _sources(data)
    return Catalogue(
        format_version=version,
        read_on=_day(data["readOn"]),
        models=tuple(_model(entry, sources) for entry in data["models"]),
        recommended=dict(data["recommended"]),
        warning_days=data.get("warningDays", 60),
        sunsets={
            backend: Sunset(
                _day(value["since"]), sources.get(value["source"]) or Source(value["source"])
            )
            for backend, value in (data.get("sunsets") or {}).items()
        },
    )


def _sources(data: _Data) -> dict[str, Source]:
    return {
        key: Source(value["url"], _day(value["readOn"]))
        for key, value in (data.get("sources") or {}).items()
    }


def _cited(named: str, sources: Mapping[str, Source]) -> Source:
    """The source a fact names: a key of `sources`, else the text itself (a URL)."""
    return sources.get(named) or Source(named)


def _day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _optional_day(value: str | date | None) -> date | None:
    return None if value is None else _day(value)


def _model(entry: _Data, sources: Mapping[str, Source]) -> CatalogueModel:
    return _changed(CatalogueModel(entry["id"], (), {}), entry, sources)


def _changed(model: CatalogueModel, entry: _Data, sources: Mapping[str, Source]) -> CatalogueModel:
    offerings = dict(model.offerings)
    for backend, groups in (entry.get("backends") or {}).items():
        offerings[backend] = _offering(offerings.get(backend, Offering()), groups, sources)
    aliases = tuple(dict.fromkeys((*model.aliases, *(entry.get("aliases") or ()))))
    return CatalogueModel(model.id, aliases, offerings)


def _offering(base: Offering, groups: _Data, sources: Mapping[str, Source]) -> Offering:
    def source(group: _Data) -> Source:
        named = group.get("source")
        return LOCAL_SOURCE if named is None else _cited(named, sources)

    return base._replace(
        tuning=_tuning(base.tuning, groups["tuning"], source)
        if "tuning" in groups
        else base.tuning,
        datasets=_datasets(base.datasets, groups["datasets"], source)
        if "datasets" in groups
        else base.datasets,
        price=_price(base.price, groups["price"], source) if "price" in groups else base.price,
        lifecycle=_lifecycle(base.lifecycle, groups["lifecycle"], source)
        if "lifecycle" in groups
        else base.lifecycle,
    )


def _price(old: Price | None, group: _Data, source: Any) -> Price:
    amount = group.get("trainingPerMillionTokens", old and old.training_per_million_tokens)
    currency = group.get("currency", old.currency if old else "USD")
    return Price(float(amount), currency, source(group))


def _range(data: _Data | None, old: Range | None) -> Range | None:
    if data is None:
        return old
    return Range(data.get("min"), data.get("max"))


def _tuning(old: Tuning | None, group: _Data, source: Any) -> Tuning:
    return Tuning(
        # A model new to the catalogue is taken to tune the common way unless told.
        methods=frozenset(Method(m) for m in group["methods"])
        if "methods" in group
        else (old.methods if old else frozenset({Method.SUPERVISED})),
        adapter_sizes=tuple(group["adapterSizes"])
        if "adapterSizes" in group
        else (old.adapter_sizes if old else ()),
        epoch_count=_range(group.get("epochCount"), old.epoch_count if old else None),
        learning_rate_multiplier=_range(
            group.get("learningRateMultiplier"), old.learning_rate_multiplier if old else None
        ),
        source=source(group),
    )


_LIMIT_FIELDS = {
    "maxTokensPerExample": "max_tokens_per_example",
    "maxValidationExamples": "max_validation_examples",
    "maxFileBytes": "max_file_bytes",
    "maxTextExamples": "max_text_examples",
    "maxMultimodalExamples": "max_multimodal_examples",
}


def _datasets(old: DatasetLimits | None, group: _Data, source: Any) -> DatasetLimits:
    values = {
        field: group[key] if key in group else getattr(old, field, 0)
        for key, field in _LIMIT_FIELDS.items()
    }
    modalities = tuple(group.get("modalities", old.modalities if old else ("text",)))
    preference = old.preference if old else None
    if "preference" in group:
        given = group["preference"]
        preference = PreferenceLimits(given["maxTokensPerExample"], source(given))
    return DatasetLimits(
        **values, modalities=modalities, source=source(group), preference=preference
    )


def _lifecycle(old: Lifecycle | None, group: _Data, source: Any) -> Lifecycle:
    def pick(key: str, current: Any) -> Any:
        return group.get(key, current)

    return Lifecycle(
        source=source(group),
        released=_optional_day(pick("released", old and old.released)),
        tuning_until=_optional_day(pick("tuningUntil", old and old.tuning_until)),
        shutdown=_optional_day(pick("shutdown", old and old.shutdown)),
        successor=pick("successor", old and old.successor),
    )
