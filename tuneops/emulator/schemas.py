"""The request and resource messages the emulator parses, after the Google protos.

Vertex AI: google/cloud/aiplatform/{v1,v1beta1}/tuning_job.proto (TuningJob and
its specs). Gemini API: google/ai/generativelanguage/v1beta/tuned_model.proto.
Fields the emulator does not interpret but clients may send are `Kind.ANY`, so
they are accepted and echoed instead of being rejected as unknown names.
"""

from __future__ import annotations

from tuneops.emulator.protojson import EnumType, Field, Kind, MapOf, Message, Repeated

_AIP = "google.cloud.aiplatform.{version}"
_GL = "google.ai.generativelanguage.v1beta"

JOB_STATES = (
    "JOB_STATE_UNSPECIFIED",
    "JOB_STATE_QUEUED",
    "JOB_STATE_PENDING",
    "JOB_STATE_RUNNING",
    "JOB_STATE_SUCCEEDED",
    "JOB_STATE_FAILED",
    "JOB_STATE_CANCELLING",
    "JOB_STATE_CANCELLED",
    "JOB_STATE_PAUSED",
    "JOB_STATE_EXPIRED",
    "JOB_STATE_UPDATING",
    "JOB_STATE_PARTIALLY_SUCCEEDED",
)

JOB_STATE = EnumType(f"{_AIP}.JobState", JOB_STATES, dict(enumerate(JOB_STATES)))

ADAPTER_SIZE = EnumType(
    f"{_AIP}.SupervisedHyperParameters.AdapterSize",
    (
        "ADAPTER_SIZE_UNSPECIFIED",
        "ADAPTER_SIZE_ONE",
        "ADAPTER_SIZE_TWO",
        "ADAPTER_SIZE_FOUR",
        "ADAPTER_SIZE_EIGHT",
        "ADAPTER_SIZE_SIXTEEN",
        "ADAPTER_SIZE_THIRTY_TWO",
    ),
    {
        0: "ADAPTER_SIZE_UNSPECIFIED",
        1: "ADAPTER_SIZE_ONE",
        6: "ADAPTER_SIZE_TWO",
        2: "ADAPTER_SIZE_FOUR",
        3: "ADAPTER_SIZE_EIGHT",
        4: "ADAPTER_SIZE_SIXTEEN",
        5: "ADAPTER_SIZE_THIRTY_TWO",
    },
)

TUNING_MODE = EnumType(
    f"{_AIP}.SupervisedTuningSpec.TuningMode",
    ("TUNING_MODE_UNSPECIFIED", "TUNING_MODE_FULL", "TUNING_MODE_PEFT_ADAPTER"),
    {0: "TUNING_MODE_UNSPECIFIED", 1: "TUNING_MODE_FULL", 2: "TUNING_MODE_PEFT_ADAPTER"},
)

SUPERVISED_HYPER_PARAMETERS = Message(
    f"{_AIP}.SupervisedHyperParameters",
    {
        "epochCount": Field(Kind.INT64),
        "learningRateMultiplier": Field(Kind.DOUBLE),
        "adapterSize": Field(ADAPTER_SIZE),
        "learningRate": Field(Kind.DOUBLE, beta_only=True),
        "batchSize": Field(Kind.INT64, beta_only=True),
    },
)

# Read 2026-12-06: the REST reference of AutoraterConfig
# (https://docs.cloud.google.com/gemini-enterprise-agent-platform/reference/rest/v1beta1/AutoraterConfig)
# and of v1's EvaluationConfig
# (https://googleapis.dev/dotnet/Google.Apis.Aiplatform.v1/latest/api/Google.Apis.Aiplatform.v1.Data.GoogleCloudAiplatformV1EvaluationConfig.html).
# The autorater is parsed field by field, so a misspelt or mistyped field gets the
# front end's own error; the metrics and the rest are kept as sent. samplingCount and
# flipEnabled are proto3 `optional` (the generated clients type them int? and bool?,
# https://pub.dev/documentation/google_cloud_aiplatform_v1beta1/latest/aiplatform/AutoraterConfig-class.html,
# read 2026-12-06): flipEnabled false is kept, since its default is true.
AUTORATER_CONFIG = Message(
    f"{_AIP}.AutoraterConfig",
    {
        "autoraterModel": Field(Kind.STRING),
        "samplingCount": Field(Kind.INT32, presence=True),
        "flipEnabled": Field(Kind.BOOL, presence=True),
        "generationConfig": Field(Kind.ANY),
    },
)

EVALUATION_CONFIG = Message(
    f"{_AIP}.EvaluationConfig",
    {
        "metrics": Field(Kind.ANY),
        "outputConfig": Field(Kind.ANY),
        "autoraterConfig": Field(AUTORATER_CONFIG),
        "inferenceGenerationConfig": Field(Kind.ANY),
        "datasetCustomMetrics": Field(Kind.ANY),
    },
)

SUPERVISED_TUNING_SPEC = Message(
    f"{_AIP}.SupervisedTuningSpec",
    {
        "trainingDatasetUri": Field(Kind.STRING),
        "validationDatasetUri": Field(Kind.STRING),
        "hyperParameters": Field(SUPERVISED_HYPER_PARAMETERS),
        "exportLastCheckpointOnly": Field(Kind.BOOL),
        "evaluationConfig": Field(EVALUATION_CONFIG),
        "tuningMode": Field(TUNING_MODE, beta_only=True),
    },
)

PREFERENCE_HYPER_PARAMETERS = Message(
    f"{_AIP}.PreferenceOptimizationHyperParameters",
    {
        "epochCount": Field(Kind.INT64),
        "learningRateMultiplier": Field(Kind.DOUBLE),
        "adapterSize": Field(ADAPTER_SIZE),
        "beta": Field(Kind.DOUBLE),
    },
)

# v1 has no evaluationConfig here, v1beta1 has (read 2026-12-06:
# https://googleapis.dev/dotnet/Google.Apis.Aiplatform.v1/latest/api/Google.Apis.Aiplatform.v1.Data.GoogleCloudAiplatformV1PreferenceOptimizationSpec.html
# and its v1beta1 twin).
PREFERENCE_OPTIMIZATION_SPEC = Message(
    f"{_AIP}.PreferenceOptimizationSpec",
    {
        "trainingDatasetUri": Field(Kind.STRING),
        "validationDatasetUri": Field(Kind.STRING),
        "hyperParameters": Field(PREFERENCE_HYPER_PARAMETERS),
        "exportLastCheckpointOnly": Field(Kind.BOOL),
        "evaluationConfig": Field(EVALUATION_CONFIG, beta_only=True),
    },
)

PRE_TUNED_MODEL = Message(
    f"{_AIP}.PreTunedModel",
    {
        "tunedModelName": Field(Kind.STRING),
        "checkpointId": Field(Kind.STRING),
        "baseModel": Field(Kind.STRING, output_only=True),
    },
)

ENCRYPTION_SPEC = Message(f"{_AIP}.EncryptionSpec", {"kmsKeyName": Field(Kind.STRING)})

# Tuning methods other than supervised tuning: known names, not emulated.
OTHER_TUNING_SPECS = (
    "distillationSpec",
    "partnerModelTuningSpec",
    "reinforcementTuningSpec",
    "veoTuningSpec",
    "veoLoraTuningSpec",
    "fullFineTuningSpec",
)

TUNING_JOB = Message(
    f"{_AIP}.TuningJob",
    {
        "name": Field(Kind.STRING, output_only=True),
        "tunedModelDisplayName": Field(Kind.STRING),
        "description": Field(Kind.STRING),
        "baseModel": Field(Kind.STRING),
        "preTunedModel": Field(PRE_TUNED_MODEL),
        "supervisedTuningSpec": Field(SUPERVISED_TUNING_SPEC),
        "preferenceOptimizationSpec": Field(PREFERENCE_OPTIMIZATION_SPEC),
        **{name: Field(Kind.ANY, beta_only=True) for name in OTHER_TUNING_SPECS},
        "state": Field(JOB_STATE, output_only=True),
        "createTime": Field(Kind.TIMESTAMP, output_only=True),
        "startTime": Field(Kind.TIMESTAMP, output_only=True),
        "endTime": Field(Kind.TIMESTAMP, output_only=True),
        "updateTime": Field(Kind.TIMESTAMP, output_only=True),
        "error": Field(Kind.ANY, output_only=True),
        "labels": Field(MapOf(Kind.STRING)),
        "experiment": Field(Kind.STRING, output_only=True),
        "tunedModel": Field(Kind.ANY, output_only=True),
        "tuningDataStats": Field(Kind.ANY, output_only=True),
        "encryptionSpec": Field(ENCRYPTION_SPEC),
        "serviceAccount": Field(Kind.STRING),
        "pipelineJob": Field(Kind.STRING, beta_only=True, output_only=True),
        "customBaseModel": Field(Kind.STRING, beta_only=True),
        "outputUri": Field(Kind.STRING, beta_only=True),
        "evaluateDatasetRuns": Field(Kind.ANY, output_only=True),
        "satisfiesPzs": Field(Kind.BOOL, output_only=True),
        "satisfiesPzi": Field(Kind.BOOL, output_only=True),
    },
)

# CancelTuningJobRequest has only `name`, which travels in the path.
CANCEL_REQUEST = Message(f"{_AIP}.CancelTuningJobRequest", {"name": Field(Kind.STRING)})

TUNED_MODEL_STATES = ("STATE_UNSPECIFIED", "CREATING", "ACTIVE", "FAILED")

TUNED_MODEL_STATE = EnumType(
    f"{_GL}.TunedModel.State", TUNED_MODEL_STATES, dict(enumerate(TUNED_MODEL_STATES))
)

TUNING_EXAMPLE = Message(
    f"{_GL}.TuningExample", {"textInput": Field(Kind.STRING), "output": Field(Kind.STRING)}
)

TUNING_EXAMPLES = Message(f"{_GL}.TuningExamples", {"examples": Field(Repeated(TUNING_EXAMPLE))})

DATASET = Message(f"{_GL}.Dataset", {"examples": Field(TUNING_EXAMPLES)})

HYPERPARAMETERS = Message(
    f"{_GL}.Hyperparameters",
    {
        "learningRate": Field(Kind.FLOAT),
        "learningRateMultiplier": Field(Kind.FLOAT),
        "epochCount": Field(Kind.INT32),
        "batchSize": Field(Kind.INT32),
    },
)

TUNING_TASK = Message(
    f"{_GL}.TuningTask",
    {
        "startTime": Field(Kind.TIMESTAMP, output_only=True),
        "completeTime": Field(Kind.TIMESTAMP, output_only=True),
        "snapshots": Field(Kind.ANY, output_only=True),
        "trainingData": Field(DATASET, input_only=True),
        "hyperparameters": Field(HYPERPARAMETERS),
    },
)

TUNED_MODEL_SOURCE = Message(
    f"{_GL}.TunedModelSource",
    {"tunedModel": Field(Kind.STRING), "baseModel": Field(Kind.STRING, output_only=True)},
)

TUNED_MODEL = Message(
    f"{_GL}.TunedModel",
    {
        "tunedModelSource": Field(TUNED_MODEL_SOURCE),
        "baseModel": Field(Kind.STRING),
        "name": Field(Kind.STRING, output_only=True),
        "displayName": Field(Kind.STRING),
        "description": Field(Kind.STRING),
        "temperature": Field(Kind.FLOAT),
        "topP": Field(Kind.FLOAT),
        "topK": Field(Kind.INT32),
        "state": Field(TUNED_MODEL_STATE, output_only=True),
        "createTime": Field(Kind.TIMESTAMP, output_only=True),
        "updateTime": Field(Kind.TIMESTAMP, output_only=True),
        "tuningTask": Field(TUNING_TASK),
        "readerProjectNumbers": Field(Repeated(Kind.INT64)),
    },
)
