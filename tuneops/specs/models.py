"""Typed, frozen views of a validated spec.

The JSON Schemas in `schemas/` are the contract and run first (they know
positions); these models are built only from documents that passed them, and a
test keeps the two in step (same fields, same required sets).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from tuneops.datasets.methods import TuningMethod
from tuneops.diagnostics import Location
from tuneops.specs.kinds import BackendKind, LocalDataset


class AdapterSize(str, enum.Enum):
    """Vertex AI LoRA adapter sizes (the proto enum names)."""

    ONE = "ADAPTER_SIZE_ONE"
    TWO = "ADAPTER_SIZE_TWO"
    FOUR = "ADAPTER_SIZE_FOUR"
    EIGHT = "ADAPTER_SIZE_EIGHT"
    SIXTEEN = "ADAPTER_SIZE_SIXTEEN"
    THIRTY_TWO = "ADAPTER_SIZE_THIRTY_TWO"


class Model(BaseModel):
    """Base of every spec model: frozen, camelCase on the wire, no unknown fields."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )


class Defaults(Model):
    """Values for specs that leave them out (`defaults:` in tuneops.yaml)."""

    backend: BackendKind = BackendKind.VERTEX
    project: str | None = None
    location: str | None = None


class VertexHyperParameters(Model):
    """`spec.hyperParameters` of a Vertex AI job."""

    epoch_count: int | None = None
    learning_rate_multiplier: float | None = None
    adapter_size: AdapterSize | None = None
    beta: float | None = None


class EvaluationMetric(str, enum.Enum):
    """The computation-based metrics `spec.evaluation` can ask a tuning job for."""

    BLEU = "bleu"
    EXACT_MATCH = "exactMatch"
    ROUGE_1 = "rouge1"
    ROUGE_2 = "rouge2"
    ROUGE_L = "rougeL"
    ROUGE_L_SUM = "rougeLsum"


class Autorater(Model):
    """`spec.evaluation.autorater`: the judge model of an evaluation (Vertex AI
    `AutoraterConfig`, read 2026-12-06: https://docs.cloud.google.com/gemini-enterprise-
    agent-platform/reference/rest/v1beta1/AutoraterConfig). Unset fields take the
    service's defaults (its own judge, 4 samples, flipping on)."""

    model: str | None = None
    sampling_count: int | None = None
    flip_enabled: bool | None = None


class Evaluation(Model):
    """`spec.evaluation`: metrics computed on the validation data for each checkpoint."""

    metrics: tuple[EvaluationMetric, ...]
    output_uri: str
    autorater: Autorater | None = None


class PromoteCondition(Model):
    """One condition of `spec.promote`: a floor, a largest drop from the active one, or both."""

    metric: EvaluationMetric
    at_least: float | None = None
    max_drop: float | None = None


class Promote(Model):
    """`spec.promote`: what a finished revision must meet before it becomes active."""

    conditions: tuple[PromoteCondition, ...]


class Serve(Model):
    """`spec.serve`: which checkpoint's endpoint becomes `active.endpoint`."""

    checkpoint: str
    metric: EvaluationMetric | None = None


class SmokeExpectation(Model):
    """What a smoke test answer must contain or equal."""

    contains: str | None = None
    equals: str | None = None

    def met_by(self, answer: str) -> bool:
        """Whether `answer` passes."""
        if self.contains is not None:
            return self.contains in answer
        return answer.strip() == (self.equals or "").strip()


class SmokeTest(Model):
    """`spec.smokeTest`: a prompt a new revision must answer before it is promoted."""

    prompt: str
    expect: SmokeExpectation


class DatasetPolicy(str, enum.Enum):
    """Whether an overwritten `gs://` dataset makes a new job."""

    PIN = "pin"
    IGNORE_CHANGES = "ignoreChanges"


class Example(Model):
    """One training example: a prompt and its answer (Gemini API form)."""

    text_input: str
    output: str


class DatasetFile(Model):
    """`spec.validationData` of a Vertex job: a local JSONL file."""

    file: str


class VertexTrainingData(Model):
    """`spec.trainingData` of a Vertex job: a local JSONL file, or inline examples
    in the Gemini API's form (converted to Vertex AI's JSONL before staging)."""

    file: str | None = None
    examples: tuple[Example, ...] | None = None


class PreTunedModel(Model):
    """`spec.preTunedModel`: continue tuning from a tuned model (Vertex AI)."""

    tuned_model_name: str
    checkpoint_id: str | None = None


class EncryptionSpec(Model):
    """`spec.encryptionSpec`: the Cloud KMS key of a customer-managed encryption."""

    kms_key_name: str


class VertexSpec(Model):
    """`spec` of a Vertex AI tuning job (supervised, or preference with `method`).

    Exactly one of `base_model` and `pre_tuned_model` is set, and exactly one of
    `training_dataset` (a `gs://` URI or dataset name) and `training_data` (a
    local file, uploaded at apply time); the schema checks both.
    """

    backend: Literal[BackendKind.VERTEX] = BackendKind.VERTEX
    project: str | None = None
    location: str | None = None
    method: TuningMethod | None = None
    base_model: str | None = None
    pre_tuned_model: PreTunedModel | None = None
    training_dataset: str | None = None
    training_data: VertexTrainingData | None = None
    validation_dataset: str | None = None
    validation_data: DatasetFile | None = None
    dataset_policy: DatasetPolicy | None = None
    tuned_model_display_name: str | None = None
    description: str | None = None
    hyper_parameters: VertexHyperParameters | None = None
    export_last_checkpoint_only: bool | None = None
    evaluation: Evaluation | None = None
    encryption_spec: EncryptionSpec | None = None
    service_account: str | None = None
    labels: dict[str, str] | None = None
    smoke_test: SmokeTest | None = None
    promote: Promote | None = None
    serve: Serve | None = None
    protect: bool = False

    @property
    def tuning_method(self) -> TuningMethod:
        """How the job tunes; supervised when the spec does not say."""
        return self.method or TuningMethod.SUPERVISED


class TrainingData(Model):
    """`spec.trainingData`: inline examples or a JSONL file beside the spec."""

    examples: tuple[Example, ...] | None = None
    file: str | None = None


class GeminiHyperParameters(Model):
    """`spec.hyperParameters` of a Gemini API tuned model."""

    epoch_count: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    learning_rate_multiplier: float | None = None


class GeminiSpec(Model):
    """`spec` of a Gemini API tuned model."""

    backend: Literal[BackendKind.GEMINI] = BackendKind.GEMINI
    base_model: str
    training_data: TrainingData
    hyper_parameters: GeminiHyperParameters | None = None
    display_name: str | None = None
    description: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    smoke_test: SmokeTest | None = None
    protect: bool = False


class Metadata(Model):
    """`metadata` of a spec document."""

    name: str
    labels: dict[str, str] | None = None


Spec = VertexSpec | GeminiSpec


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A validated spec with everything resolved: the desired state of one job.

    `spec` has `project` and `location` filled from the project defaults;
    `examples` holds the Gemini training data whether it was inline or in a
    file; `canonical` is what the hash is computed from (see `hashing`).
    `unpinned_hash` is the hash before the versions of its `gs://` datasets
    joined it (None while none did); see `written_hash`.
    """

    name: str
    labels: Mapping[str, str]
    spec: Spec
    examples: tuple[Example, ...]
    canonical: Mapping[str, Any]
    spec_hash: str
    source: Location
    local_datasets: tuple[LocalDataset, ...] = ()
    unpinned_hash: str | None = None

    @property
    def written_hash(self) -> str:
        """The hash of the spec as written, without dataset pins.

        An offline plan cannot look datasets up, so a review of one can only
        vouch for this hash (docs/ci.md).
        """
        return self.unpinned_hash or self.spec_hash

    @property
    def backend(self) -> BackendKind:
        """The service that runs this job."""
        return self.spec.backend

    @property
    def protect(self) -> bool:
        """Whether tuneops must never cancel this job."""
        return self.spec.protect
