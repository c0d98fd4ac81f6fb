"""Preference tuning, evaluation, the promotion gate and serving in a spec: positioned
errors where keys disagree, and a hash that moves only with what trains."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tuneops.catalogue import shipped_catalogue, with_changes
from tuneops.datasets.methods import TuningMethod
from tuneops.diagnostics import Severity
from tuneops.specs.loader import LoadResult, load_specs
from tuneops.specs.model_checks import ModelPolicy
from tuneops.specs.models import Defaults, VertexSpec

DEFAULTS = Defaults(project="acme-ml", location="us-central1")
TODAY = date(2026, 12, 6)
# The shipped catalogue (read 2026-12-06) lists preference tuning on the retired
# 2.5 models only; a project that knows better says so in tuneops.yaml.
PREFERENCE_35 = with_changes(
    shipped_catalogue(),
    {
        "models": [
            {
                "id": "gemini-3.5-flash",
                "backends": {"vertex": {"tuning": {"methods": ["supervised", "preference"]}}},
            }
        ]
    },
)
EVALUATION = {"metrics": ["bleu", "rougeL"], "outputUri": "gs://acme/eval/"}


def _load(tmp_path: Path, policy: ModelPolicy | None = None, **spec: Any) -> LoadResult:
    body = {"baseModel": "gemini-3.5-flash", "trainingDataset": "gs://acme/train.jsonl", **spec}
    body = {key: value for key, value in body.items() if value is not None}
    document = {
        "apiVersion": "tuneops.dev/v1",
        "kind": "TuningJob",
        "metadata": {"name": "job"},
        "spec": body,
    }
    spec_file = tmp_path / "specs" / "job.yaml"
    spec_file.parent.mkdir(parents=True, exist_ok=True)
    spec_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    policy = policy or ModelPolicy(today=TODAY)
    return load_specs([tmp_path / "specs"], tmp_path, DEFAULTS, policy)


def _errors(result: LoadResult) -> list[str]:
    return [
        f"{d.location.line}:{d.location.column}: {d.location.json_path}: {d.message}"
        for d in result.diagnostics
        if d.severity is Severity.ERROR
    ]


def _hash(tmp_path: Path, **spec: Any) -> str:
    result = _load(tmp_path, ModelPolicy(catalogue=PREFERENCE_35, today=TODAY), **spec)
    assert _errors(result) == []
    return result.specs[0].spec_hash


def test_no_tunable_model_of_today_is_preference_tuned_and_validate_says_so_at_method(
    tmp_path: Path,
) -> None:
    errors = _errors(_load(tmp_path, method="preference"))
    assert len(errors) == 1
    assert errors[0].startswith(
        "8:11: $.spec.method: gemini-3.5-flash cannot be preference-tuned on Vertex AI ("
    )
    assert errors[0].endswith(
        "models that can: none that can still be tuned. A newer fact can go under "
        "catalogue.models in tuneops.yaml"
    )


def test_a_catalogue_override_lets_a_preference_spec_validate(tmp_path: Path) -> None:
    policy = ModelPolicy(catalogue=PREFERENCE_35, today=TODAY)
    result = _load(
        tmp_path, policy, method="preference", hyperParameters={"beta": 0.1, "epochCount": 2}
    )
    assert _errors(result) == []
    vertex = result.specs[0].spec
    assert isinstance(vertex, VertexSpec)
    assert vertex.tuning_method is TuningMethod.PREFERENCE


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"hyperParameters": {"beta": 0.5}},
            "$.spec.hyperParameters.beta: beta is a preference tuning hyper-parameter; "
            "set method: preference or remove it",
        ),
        (
            {"promote": {"conditions": [{"metric": "bleu", "atLeast": 0.4}]}},
            "$.spec.promote.conditions[0].metric: the promotion gate uses bleu, but the spec "
            "has no evaluation: add evaluation.metrics",
        ),
        (
            {
                "evaluation": EVALUATION,
                "promote": {"conditions": [{"metric": "exactMatch", "maxDrop": 0.1}]},
            },
            "$.spec.promote.conditions[0].metric: the promotion gate uses exactMatch, which "
            "evaluation.metrics does not list (bleu, rougeL)",
        ),
        (
            {"evaluation": EVALUATION, "serve": {"checkpoint": "best"}},
            "$.spec.serve: checkpoint: best needs metric: the evaluation metric to rank by",
        ),
        (
            {"evaluation": EVALUATION, "serve": {"checkpoint": "best", "metric": "rouge1"}},
            "$.spec.serve.metric: serve.checkpoint: best uses rouge1, which evaluation.metrics "
            "does not list (bleu, rougeL)",
        ),
        (
            {"serve": {"checkpoint": "last", "metric": "bleu"}},
            "$.spec.serve.metric: metric ranks checkpoints only with checkpoint: best, not last",
        ),
        (
            {"exportLastCheckpointOnly": True, "serve": {"checkpoint": "2"}},
            "$.spec.serve.checkpoint: exportLastCheckpointOnly: true keeps only the last "
            "checkpoint; 2 cannot be served",
        ),
        (
            {"promote": {"conditions": [{"metric": "bleu"}]}},
            "$.spec.promote.conditions[0]: needs atLeast, maxDrop, or both",
        ),
        (
            {"evaluation": {"metrics": [], "outputUri": "gs://acme/eval/"}},
            "$.spec.evaluation.metrics: needs at least one metric",
        ),
        (
            {"evaluation": {"metrics": ["bleu"], "outputUri": "/tmp/eval"}},
            "$.spec.evaluation.outputUri: '/tmp/eval' is not a gs://bucket/prefix URI",
        ),
        (
            {"method": "dpo"},
            "$.spec.method: 'dpo' is not one of: supervised, preference",
        ),
        (
            {"evaluation": {**EVALUATION, "autorater": {"model": "gemini-3.5-flash"}}},
            "$.spec.evaluation.autorater.model: 'gemini-3.5-flash' is not a publisher model "
            "(projects/{project}/locations/{location}/publishers/{publisher}/models/{model}) "
            "or a tuned autorater endpoint "
            "(projects/{project}/locations/{location}/endpoints/{endpoint})",
        ),
        (
            {"evaluation": {**EVALUATION, "autorater": {"samplingCount": 0}}},
            "$.spec.evaluation.autorater.samplingCount: must be 1 to 32 (Vertex AI's range "
            "for samplingCount)",
        ),
        (
            {"evaluation": {**EVALUATION, "autorater": {"samplingCount": 33}}},
            "$.spec.evaluation.autorater.samplingCount: must be 1 to 32 (Vertex AI's range "
            "for samplingCount)",
        ),
        (
            {"evaluation": {**EVALUATION, "autorater": {"flipEnabled": "yes"}}},
            "$.spec.evaluation.autorater.flipEnabled: 'yes' is not of type 'boolean'",
        ),
        (
            {"evaluation": {**EVALUATION, "autorater": {"judge": "x"}}},
            "$.spec.evaluation.autorater.judge: unknown field 'judge'",
        ),
    ],
)
def test_keys_that_disagree_get_an_error_at_the_key_to_change(
    tmp_path: Path, spec: dict[str, Any], expected: str
) -> None:
    errors = [e.split(": ", 1)[1] for e in _errors(_load(tmp_path, **spec))]
    assert errors == [expected]


def test_preference_tuning_refuses_inline_supervised_examples(tmp_path: Path) -> None:
    policy = ModelPolicy(catalogue=PREFERENCE_35, today=TODAY)
    examples = {"examples": [{"textInput": "I", "output": "II"}]}
    errors = _errors(
        _load(tmp_path, policy, method="preference", trainingData=examples, trainingDataset=None)
    )
    assert [e for e in errors if "$.spec.trainingData.examples:" in e] == [
        "10:5: $.spec.trainingData.examples: inline examples are prompt/answer pairs for "
        "supervised tuning; preference tuning needs a JSONL file of prompts with two scored "
        "completions (trainingData.file or trainingDataset)"
    ]


def test_the_hash_of_an_existing_spec_is_unchanged_by_the_new_keys(tmp_path: Path) -> None:
    # The hash of this spec as tuneops computed it before issue 19: an existing
    # job must not plan as a replace because tuneops learned new keys.
    # (computed with the code of commit c15ea54).
    before = "d0393b00826b3496a7ccc9e9ca851705f71631fb89e713a3ae1604718c8b2d69"
    plain = _hash(tmp_path, hyperParameters={"epochCount": 3})
    assert plain == before
    assert _hash(tmp_path, method="supervised", hyperParameters={"epochCount": 3}) == plain
    gated = _hash(
        tmp_path,
        hyperParameters={"epochCount": 3},
        promote={"conditions": [{"metric": "bleu", "atLeast": 0.1}]},
        evaluation=EVALUATION,
        serve={"checkpoint": "best", "metric": "bleu"},
    )
    evaluated = _hash(tmp_path, hyperParameters={"epochCount": 3}, evaluation=EVALUATION)
    assert gated == evaluated  # the gate and the served checkpoint train nothing
    # An evaluated spec keeps the hash it had before tuneops knew of the autorater
    # (computed with the code of commit 50e2ae8), and one that adds it is a new job.
    assert evaluated == "cb3494bb017b1e7c017f3b5f5fc54c4310339ca3be9b19998078d8e9e465ba2d"
    judged = {**EVALUATION, "autorater": {"samplingCount": 8}}
    eight = _hash(tmp_path, hyperParameters={"epochCount": 3}, evaluation=judged)
    assert eight != evaluated
    assert eight == _hash(
        tmp_path,
        hyperParameters={"epochCount": 3},
        evaluation={**EVALUATION, "autorater": {"samplingCount": 8.0}},
    )
    assert evaluated != plain
    assert _hash(tmp_path, method="preference", hyperParameters={"epochCount": 3}) != plain
    beta_1 = _hash(tmp_path, method="preference", hyperParameters={"beta": 0.1})
    assert beta_1 != _hash(tmp_path, method="preference", hyperParameters={"beta": 0.2})
    # A float field typed alike however it is written.
    assert beta_1 == _hash(tmp_path, method="preference", hyperParameters={"beta": 0.10})


def test_evaluation_of_a_preference_job_is_refused_since_vertex_v1_has_none(
    tmp_path: Path,
) -> None:
    policy = ModelPolicy(catalogue=PREFERENCE_35, today=TODAY)
    errors = _errors(_load(tmp_path, policy, method="preference", evaluation=EVALUATION))
    assert len(errors) == 1
    assert errors[0].startswith(
        "10:5: $.spec.evaluation: Vertex AI v1, which tuneops calls, evaluates supervised "
        "tuning only: its preference spec has no evaluationConfig (https://googleapis.dev/"
    )


def test_a_local_preference_dataset_is_checked_line_by_line_as_preference_data(
    tmp_path: Path,
) -> None:
    good: dict[str, list[Any]] = {
        "contents": [{"role": "user", "parts": [{"text": "My parcel is late."}]}],
        "completions": [
            {"score": 1, "completion": {"role": "model", "parts": [{"text": "Sorry!"}]}},
            {"score": 0, "completion": {"role": "model", "parts": [{"text": "Wait."}]}},
        ],
    }
    bad = {**good, "completions": good["completions"][:1]}
    data = tmp_path / "specs" / "prefs.jsonl"
    data.parent.mkdir(parents=True)
    data.write_text(f"{json.dumps(good)}\n{json.dumps(bad)}\n", encoding="utf-8")
    policy = ModelPolicy(catalogue=PREFERENCE_35, today=TODAY)
    prefs = {"file": "prefs.jsonl"}
    result = _load(tmp_path, policy, method="preference", trainingData=prefs, trainingDataset=None)
    errors = _errors(result)
    assert len(errors) == 1
    assert errors[0].startswith("2:1: $.completions: ")
    # The same file as supervised data: every line is wrong for that method.
    supervised = _errors(_load(tmp_path, trainingData=prefs, trainingDataset=None))
    assert len(supervised) >= 2
    data.write_text(f"{json.dumps(good)}\n", encoding="utf-8")
    fine = _load(tmp_path, policy, method="preference", trainingData=prefs, trainingDataset=None)
    assert _errors(fine) == []
    assert fine.specs[0].local_datasets[0].examples == 1


def test_a_gemini_spec_has_none_of_the_new_keys(tmp_path: Path) -> None:
    errors = _errors(
        _load(
            tmp_path,
            backend="gemini",
            baseModel="models/gemini-1.5-flash-001-tuning",
            trainingDataset=None,
            trainingData={"examples": [{"textInput": "I", "output": "II"}]},
            method="preference",
        )
    )
    assert [e.split(": ", 1)[1] for e in errors] == [
        "$.spec.method: 'method' is a vertex field; this spec's backend is gemini"
    ]
