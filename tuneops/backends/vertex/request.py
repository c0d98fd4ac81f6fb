"""What tuneops sends to create a Vertex AI tuning job: the `TuningJob` body of a spec."""

from __future__ import annotations

from tuneops.backends.shared import identity as ident
from tuneops.backends.transport.errors import IdentityError, InvalidRequestError
from tuneops.backends.transport.http import JsonObject
from tuneops.datasets.methods import TuningMethod
from tuneops.specs.models import Autorater, Evaluation, EvaluationMetric, JobSpec, VertexSpec

# The tuning spec each method sends (read 2026-12-06: the google-genai SDK 3.x
# `tunings.py`, which sends `preferenceOptimizationSpec` for PREFERENCE_TUNING).
TUNING_SPEC_KEYS = {
    TuningMethod.SUPERVISED: "supervisedTuningSpec",
    TuningMethod.PREFERENCE: "preferenceOptimizationSpec",
}


def build_body(job: JobSpec, identity: ident.Identity) -> JsonObject:
    """The `TuningJob` to POST for `job`, marked with `identity`'s labels."""
    spec = job.spec
    if not isinstance(spec, VertexSpec):
        raise InvalidRequestError(
            f"spec {job.name!r} is for the {spec.backend.value} backend, not vertex"
        )
    if spec.training_dataset is None:
        # A local dataset is replaced by its uploaded URI before create; a job
        # must never be created pointing at data that was not (fully) uploaded.
        raise InvalidRequestError(
            f"spec {job.name!r} has a local training dataset that was not uploaded"
        )
    tuning: JsonObject = {"trainingDatasetUri": spec.training_dataset}
    if spec.validation_dataset:
        tuning["validationDatasetUri"] = spec.validation_dataset
    if spec.hyper_parameters is not None:
        hyper = spec.hyper_parameters.model_dump(mode="json", by_alias=True, exclude_none=True)
        if hyper:
            tuning["hyperParameters"] = hyper
    if spec.export_last_checkpoint_only is not None:
        tuning["exportLastCheckpointOnly"] = spec.export_last_checkpoint_only
    if spec.evaluation is not None:
        tuning["evaluationConfig"] = evaluation_config(spec.evaluation)
    labels = dict(spec.labels or {})
    marks = ident.vertex_labels(identity)
    clash = sorted(set(labels) & set(marks))
    if clash:  # the schema reserves the prefix; this guards specs built in code
        raise IdentityError(f"spec {job.name!r} sets reserved labels {', '.join(clash)}")
    labels.update(marks)
    body: JsonObject = {TUNING_SPEC_KEYS[spec.tuning_method]: tuning}
    if spec.pre_tuned_model is not None:
        body["preTunedModel"] = spec.pre_tuned_model.model_dump(by_alias=True, exclude_none=True)
    else:
        body["baseModel"] = spec.base_model
    body |= {
        # Without a display name the console shows a generated one; the spec
        # name is what people will look for.
        "tunedModelDisplayName": spec.tuned_model_display_name or job.name,
        "labels": labels,
    }
    if spec.description:
        body["description"] = spec.description
    if spec.encryption_spec is not None:
        body["encryptionSpec"] = {"kmsKeyName": spec.encryption_spec.kms_key_name}
    if spec.service_account:
        body["serviceAccount"] = spec.service_account
    return body


# One metric spec per metric: its `*Spec` message inside an `evaluationConfig.metrics`
# entry, averaged (read 2026-12-06: the SDK's `t_metrics`, which adds
# AVERAGE and STANDARD_DEVIATION; tuneops reads the average only).
_METRIC_SPECS: dict[EvaluationMetric, JsonObject] = {
    EvaluationMetric.BLEU: {"bleuSpec": {}},
    EvaluationMetric.EXACT_MATCH: {"exactMatchSpec": {}},
    EvaluationMetric.ROUGE_1: {"rougeSpec": {"rougeType": "rouge1"}},
    EvaluationMetric.ROUGE_2: {"rougeSpec": {"rougeType": "rouge2"}},
    EvaluationMetric.ROUGE_L: {"rougeSpec": {"rougeType": "rougeL"}},
    EvaluationMetric.ROUGE_L_SUM: {"rougeSpec": {"rougeType": "rougeLsum"}},
}


def evaluation_config(evaluation: Evaluation) -> JsonObject:
    """The `evaluationConfig` of `spec.evaluation`."""
    config: JsonObject = {
        "metrics": [
            {"aggregationMetrics": ["AVERAGE"], **_METRIC_SPECS[metric]}
            for metric in evaluation.metrics
        ],
        "outputConfig": {"gcsDestination": {"outputUriPrefix": evaluation.output_uri}},
    }
    if evaluation.autorater is not None:
        config["autoraterConfig"] = autorater_config(evaluation.autorater)
    return config


def autorater_config(autorater: Autorater) -> JsonObject:
    """The `autoraterConfig` of `spec.evaluation.autorater`: only the fields the spec
    sets, so the service's defaults apply to the rest (read 2026-12-06: the REST
    reference of AutoraterConfig, https://docs.cloud.google.com/gemini-enterprise-agent-
    platform/reference/rest/v1beta1/AutoraterConfig, and the google-genai SDK 3.6's
    `_AutoraterConfig_to_vertex`, which sends the same three names)."""
    fields = {
        "autoraterModel": autorater.model,
        "samplingCount": autorater.sampling_count,
        "flipEnabled": autorater.flip_enabled,
    }
    return {key: value for key, value in fields.items() if value is not None}
