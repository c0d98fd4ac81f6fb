"""A spec's base model and hyper-parameters held to the model catalogue.

The catalogue speaks for the service: a model past its last tuning day, an
adapter size or a hyper-parameter it refuses would fail at create, after review,
in CI; here they fail at `validate`, at the field. A model the catalogue does not
know is only a warning: Google may have added it after the catalogue was read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from tuneops.catalogue import Catalogue, Source, shipped_catalogue
from tuneops.catalogue.verdicts import (
    Verdict,
    VerdictCode,
    hyper_parameter_problems,
    tuning_verdict,
)
from tuneops.diagnostics import Diagnostic, Severity
from tuneops.specs.yaml_loader import YamlDocument

SERVICE_NAMES = {"vertex": "Vertex AI", "gemini": "the Gemini API"}


def today_utc() -> date:
    """Today's date in UTC, the calendar Google's lifecycle dates use."""
    return datetime.now(timezone.utc).date()


@dataclass(frozen=True, slots=True)
class ModelPolicy:
    """What the model checks need: the catalogue, the day, and which backends are Google's.

    `emulated` backends point at an emulator (an `endpoint` in tuneops.yaml): the
    Gemini API's sunset is news only for specs that would reach the real service.
    """

    catalogue: Catalogue = field(default_factory=shipped_catalogue)
    today: date = field(default_factory=today_utc)
    emulated: frozenset[str] = frozenset()
    # False: load specs whatever their model (`tuneops models --check` judges them itself).
    enforce: bool = True


def cite(source: Source | None) -> str:
    """`URL, read DAY`: where a fact came from, for a message."""
    if source is None:
        return "no source recorded"
    return f"{source.url}, read {source.read_on}" if source.read_on else source.url


def model_problems(
    spec: Mapping[str, Any], document: YamlDocument, policy: ModelPolicy
) -> list[Diagnostic]:
    """Errors and warnings for the base model and hyper-parameters of a schema-valid spec."""
    base = spec.get("baseModel")
    if not isinstance(base, str) or not policy.enforce:
        return []  # continuous tuning: the tuned model's base was checked when it was made
    backend = str(spec["backend"])
    verdict = tuning_verdict(policy.catalogue, base, backend, policy.today)
    where = document.locate(("spec", "baseModel"))
    if backend == "gemini" and verdict.blocks:
        if backend in policy.emulated:
            return []
        return [Diagnostic(where, _gemini_sunset(verdict), Severity.WARNING)]
    problems: list[Diagnostic] = []
    message = _verdict_message(verdict, policy.today)
    if message is not None:
        severity = Severity.ERROR if verdict.blocks else Severity.WARNING
        problems.append(Diagnostic(where, message, severity))
    offering = verdict.model.on(backend) if verdict.model else None
    if offering is not None and not verdict.blocks:
        hyper = spec.get("hyperParameters") or {}
        for problem in hyper_parameter_problems(offering, hyper):
            problems.append(
                Diagnostic(
                    document.locate(("spec", "hyperParameters", problem.field)),
                    f"{verdict.model.id if verdict.model else base} on "
                    f"{SERVICE_NAMES.get(backend, backend)} takes {problem.field} "
                    f"{problem.allowed}, not {problem.value} ({cite(problem.source)})",
                )
            )
    return problems


def _verdict_message(verdict: Verdict, today: date) -> str | None:
    service = SERVICE_NAMES.get(verdict.backend, verdict.backend)
    instead = f"; use {verdict.successor}" if verdict.successor else ""
    if verdict.code is VerdictCode.UNKNOWN:
        return (
            f"{verdict.base_model} is not in tuneops' model catalogue (read "
            f"{verdict.catalogue_read_on}): {service} decides whether it can be tuned, and its "
            "cost is unknown; add it under catalogue.models in tuneops.yaml to say more"
        )
    if verdict.code is VerdictCode.NOT_TUNABLE:
        return (
            f"{verdict.base_model} cannot be tuned on {service}{instead} ({cite(verdict.source)})"
        )
    if verdict.code is VerdictCode.RETIRED:
        return (
            f"{verdict.base_model} can no longer be tuned on {service} (the last day was "
            f"{verdict.last_day}){instead} ({cite(verdict.source)})"
        )
    if verdict.code is VerdictCode.DEPRECATED and verdict.last_day is not None:
        days = (verdict.last_day - today).days
        return (
            f"{verdict.base_model} takes new tuning jobs on {service} only until "
            f"{verdict.last_day} ({days} days){instead} ({cite(verdict.source)})"
        )
    return None


def _gemini_sunset(verdict: Verdict) -> str:
    return (
        f"the Gemini API no longer tunes any model ({cite(verdict.source)}); this spec "
        "can keep an existing tuned model but cannot make a new one. Migrate: set "
        f"backend: vertex and baseModel: {verdict.successor}, keep trainingData.examples "
        "(tuneops converts and stages them in vertex.stagingBucket)"
    )
