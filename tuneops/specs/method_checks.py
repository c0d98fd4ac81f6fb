"""The checks that tie a Vertex spec's method, evaluation, gate and serving together.

The schema sees one key at a time; these rules span keys (a gate's metric must
be evaluated, `beta` belongs to preference tuning) or need the model catalogue
(which base models Vertex AI preference-tunes). Each problem is an error at the
key that has to change, so `validate` stops a job the service would refuse.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tuneops.catalogue import Catalogue
from tuneops.catalogue.entries import CatalogueModel, Method
from tuneops.catalogue.verdicts import VerdictCode, tuning_verdict
from tuneops.datasets.methods import TuningMethod
from tuneops.diagnostics import Diagnostic
from tuneops.specs.model_checks import ModelPolicy, cite
from tuneops.specs.yaml_loader import YamlDocument

_SPEC = ("spec",)
# tuneops calls Vertex AI v1, whose PreferenceOptimizationSpec has no evaluationConfig
# (v1beta1's has), read 2026-12-06.
_V1_PREFERENCE = (
    "https://googleapis.dev/dotnet/Google.Apis.Aiplatform.v1/latest/api/"
    "Google.Apis.Aiplatform.v1.Data.GoogleCloudAiplatformV1PreferenceOptimizationSpec.html"
)
_PREFERENCE_EVALUATION = (
    "Vertex AI v1, which tuneops calls, evaluates supervised tuning only: its preference "
    f"spec has no evaluationConfig ({_V1_PREFERENCE}, read 2026-12-06); remove evaluation, "
    "or tune by method: supervised"
)


def method_problems(
    spec: Mapping[str, Any], document: YamlDocument, policy: ModelPolicy
) -> list[Diagnostic]:
    """Errors for the method, evaluation, promotion gate and serving of a schema-valid spec."""
    if spec.get("backend") != "vertex":
        return []  # the Gemini API schema has none of these keys
    return [
        Diagnostic(document.locate((*_SPEC, *path)), message)
        for path, message in _problems(spec, policy)
    ]


def _problems(
    spec: Mapping[str, Any], policy: ModelPolicy
) -> Iterator[tuple[tuple[Any, ...], str]]:
    method = TuningMethod(spec.get("method") or TuningMethod.SUPERVISED.value)
    hyper = spec.get("hyperParameters") or {}
    if method is TuningMethod.PREFERENCE:
        yield from _preference(spec, policy)
        if "evaluation" in spec:
            yield (("evaluation",), _PREFERENCE_EVALUATION)
    elif "beta" in hyper:
        yield (
            ("hyperParameters", "beta"),
            "beta is a preference tuning hyper-parameter; set method: preference or remove it",
        )
    evaluated = set((spec.get("evaluation") or {}).get("metrics") or ())
    promote = spec.get("promote")
    if promote is not None:
        for index, condition in enumerate(promote["conditions"]):
            if condition["metric"] not in evaluated:
                yield (
                    ("promote", "conditions", index, "metric"),
                    _not_evaluated(condition["metric"], "the promotion gate", evaluated),
                )
    serve = spec.get("serve")
    if serve is not None:
        yield from _serve(serve, evaluated, spec.get("exportLastCheckpointOnly") is True)


def _preference(
    spec: Mapping[str, Any], policy: ModelPolicy
) -> Iterator[tuple[tuple[Any, ...], str]]:
    training = spec.get("trainingData") or {}
    if training.get("examples") is not None:
        yield (
            ("trainingData", "examples"),
            "inline examples are prompt/answer pairs for supervised tuning; preference "
            "tuning needs a JSONL file of prompts with two scored completions "
            "(trainingData.file or trainingDataset)",
        )
    base = spec.get("baseModel")
    if not isinstance(base, str) or not policy.enforce:
        return  # continuous tuning: the service judges the tuned model's base
    verdict = tuning_verdict(policy.catalogue, base, "vertex", policy.today)
    if verdict.model is None or verdict.blocks:
        return  # unknown: a warning at baseModel already; retired: an error there already
    offering = verdict.model.on("vertex")
    tuning = offering.tuning if offering else None
    if tuning is None or Method.PREFERENCE in tuning.methods:
        return
    others = preference_models(policy)
    where = ", ".join(others) if others else "none that can still be tuned"
    yield (
        ("method",),
        f"{verdict.model.id} cannot be preference-tuned on Vertex AI ({cite(tuning.source)}); "
        f"models that can: {where}. A newer fact can go under catalogue.models in tuneops.yaml",
    )


def preference_models(policy: ModelPolicy) -> list[str]:
    """The catalogue's models that Vertex AI preference-tunes today."""
    return sorted(
        model.id
        for model in _vertex_models(policy.catalogue)
        if tuning_verdict(policy.catalogue, model.id, "vertex", policy.today).code
        in (VerdictCode.AVAILABLE, VerdictCode.DEPRECATED)
    )


def _vertex_models(catalogue: Catalogue) -> Iterator[CatalogueModel]:
    for model in catalogue.models:
        offering = model.on("vertex")
        if offering and offering.tuning and Method.PREFERENCE in offering.tuning.methods:
            yield model


def _serve(
    serve: Mapping[str, Any], evaluated: set[str], last_only: bool
) -> Iterator[tuple[tuple[Any, ...], str]]:
    checkpoint, metric = serve["checkpoint"], serve.get("metric")
    if checkpoint == "best":
        if metric is None:
            yield (("serve",), "checkpoint: best needs metric: the evaluation metric to rank by")
        elif metric not in evaluated:
            yield (("serve", "metric"), _not_evaluated(metric, "serve.checkpoint: best", evaluated))
    elif metric is not None:
        yield (
            ("serve", "metric"),
            f"metric ranks checkpoints only with checkpoint: best, not {checkpoint}",
        )
    if last_only and checkpoint not in ("default", "last"):
        yield (
            ("serve", "checkpoint"),
            f"exportLastCheckpointOnly: true keeps only the last checkpoint; {checkpoint} "
            "cannot be served",
        )


def _not_evaluated(metric: str, user: str, evaluated: set[str]) -> str:
    if not evaluated:
        return f"{user} uses {metric}, but the spec has no evaluation: add evaluation.metrics"
    return (
        f"{user} uses {metric}, which evaluation.metrics does not list "
        f"({', '.join(sorted(evaluated))})"
    )
