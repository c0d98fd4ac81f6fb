"""The google-genai SDK creates and reads preference jobs, evaluation results and
checkpoints against the emulator (issue 19), in the wire format it sends and reads."""

from __future__ import annotations

import pytest
from google.genai import errors, types

from tests.emulator.support import PARENT, SDK_WARNINGS, TRAIN, vertex_client
from tuneops.emulator import EmulatorHandle

pytestmark = pytest.mark.filterwarnings(SDK_WARNINGS)

VALIDATION = "gs://acme-tuning/support/val.jsonl"
EVALUATION = types.EvaluationConfig(
    metrics=[types.Metric(name="bleu"), types.Metric(name="exact_match")],
    output_config=types.OutputConfig(
        gcs_destination=types.GcsDestination(output_uri_prefix="gs://acme-tuning/eval/")
    ),
)


def _preference(client: object, **config: object) -> types.TuningJob:
    settings = {
        "method": types.TuningMethod.PREFERENCE_TUNING,
        "tuned_model_display_name": "prefs",
        "epoch_count": 3,
        "beta": 0.25,
        "validation_dataset": types.TuningValidationDataset(gcs_uri=VALIDATION),
        **config,
    }
    return client.tunings.tune(  # type: ignore[attr-defined]
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri=TRAIN),
        config=types.CreateTuningJobConfig(**settings),
    )


def test_a_model_the_catalogue_does_not_preference_tune_is_refused_until_offered(
    emulator: EmulatorHandle,
) -> None:
    client = vertex_client(emulator.url, "v1beta1")
    with pytest.raises(errors.ClientError) as refused:
        _preference(client)
    assert refused.value.code == 400
    assert "Base model gemini-3.5-flash is not supported for preference tuning." in str(
        refused.value
    )
    assert emulator.offer("gemini-3.5-flash", "preference") == {
        "model": "gemini-3.5-flash",
        "methods": ["preference"],
    }
    job = _preference(client)
    assert job.state == types.JobState.JOB_STATE_PENDING
    assert job.supervised_tuning_spec is None
    spec = job.preference_optimization_spec
    assert spec is not None
    assert spec.training_dataset_uri == TRAIN
    assert spec.validation_dataset_uri == VALIDATION
    assert spec.hyper_parameters is not None
    assert (spec.hyper_parameters.beta, spec.hyper_parameters.epoch_count) == (0.25, 3)
    emulator.reset()  # forgets the offer
    with pytest.raises(errors.ClientError):
        _preference(client)


def test_a_preference_job_with_evaluation_reports_checkpoints_and_scores_a_test_sets(
    emulator: EmulatorHandle,
) -> None:
    emulator.offer("gemini-3.5-flash", "preference")
    client = vertex_client(emulator.url, "v1beta1")
    job = _preference(client, evaluation_config=EVALUATION)
    name = job.name or ""
    emulator.advance(2)
    running = client.tunings.get(name=name)
    assert running.tuned_model is None and not running.evaluate_dataset_runs
    assert running.tuning_data_stats is not None
    assert running.tuning_data_stats.preference_optimization_data_stats is not None

    emulator.force(name, "succeed")
    emulator.set_scores(name, {"*": {"bleu": 0.5}, "2": {"bleu": 0.75, "exactMatch": 0.25}})
    done = client.tunings.get(name=name)
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED
    assert done.tuned_model is not None
    checkpoints = done.tuned_model.checkpoints or []
    assert [(c.checkpoint_id, c.epoch, c.step) for c in checkpoints] == [
        ("1", 1, 10),
        ("2", 2, 20),
        ("3", 3, 30),
    ]
    assert checkpoints[-1].endpoint == done.tuned_model.endpoint
    assert all((c.endpoint or "").startswith(f"{PARENT}/endpoints/") for c in checkpoints)
    assert len({c.endpoint for c in checkpoints}) == 3

    runs = {run.checkpoint_id or "": run for run in done.evaluate_dataset_runs or []}
    assert sorted(runs) == ["1", "2", "3"]
    second = runs["2"].evaluate_dataset_response
    assert second is not None and second.aggregation_output is not None
    results = second.aggregation_output.aggregation_results or []
    assert [r.aggregation_metric for r in results] == [types.AggregationMetric.AVERAGE] * 2
    assert results[0].bleu_metric_value is not None
    assert results[0].bleu_metric_value.score == 0.75
    assert results[1].exact_match_metric_value is not None
    assert results[1].exact_match_metric_value.score == 0.25
    first = runs["1"].evaluate_dataset_response
    assert first is not None and first.aggregation_output is not None
    first_results = first.aggregation_output.aggregation_results or []
    assert first_results[0].bleu_metric_value is not None
    assert first_results[0].bleu_metric_value.score == 0.5
    # Scores not set are drawn from the job, the same on every read.
    drawn = first_results[1].exact_match_metric_value
    assert drawn is not None and drawn.score is not None and 0 <= drawn.score <= 1
    assert client.tunings.get(name=name) == done.model_copy(
        update={"sdk_http_response": client.tunings.get(name=name).sdk_http_response}
    )


def test_an_earlier_checkpoint_serves_and_continuous_tuning_starts_from_one(
    emulator: EmulatorHandle,
) -> None:
    client = vertex_client(emulator.url, "v1beta1")
    job = client.tunings.tune(
        base_model="gemini-3.5-flash",
        training_dataset=types.TuningDataset(gcs_uri=TRAIN),
        config=types.CreateTuningJobConfig(epoch_count=2, evaluation_config=EVALUATION),
    )
    emulator.force(job.name or "", "succeed")
    done = client.tunings.get(name=job.name or "")
    assert done.tuned_model is not None and done.tuned_model.checkpoints
    first = done.tuned_model.checkpoints[0]
    assert first.checkpoint_id == "1"
    endpoint = first.endpoint or ""
    answer = client.models.generate_content(model=endpoint, contents="hello")
    assert answer.text is not None and "hello" in answer.text

    model = done.tuned_model.model or ""
    again = client.tunings.tune(
        base_model=model,
        training_dataset=types.TuningDataset(gcs_uri=TRAIN),
        config=types.CreateTuningJobConfig(pre_tuned_model_checkpoint_id="1"),
    )
    assert again.pre_tuned_model is not None
    assert again.pre_tuned_model.checkpoint_id == "1"
    assert again.pre_tuned_model.tuned_model_name == model


def test_evaluation_in_a_preference_spec_is_unknown_to_v1(emulator: EmulatorHandle) -> None:
    emulator.offer("gemini-3.5-flash", "preference")
    client = vertex_client(emulator.url, "v1")
    with pytest.raises(errors.ClientError) as refused:
        _preference(client, evaluation_config=EVALUATION)
    assert refused.value.code == 400
    assert "evaluationConfig" in str(refused.value)
    assert _preference(client).preference_optimization_spec is not None


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"beta": -1.0},
            "preferenceOptimizationSpec.hyperParameters.beta must be at least 0, got -1.0.",
        ),
        (
            {
                "evaluation_config": types.EvaluationConfig(
                    metrics=[types.Metric(name="fluency", prompt_template="Rate {response}")],
                    output_config=EVALUATION.output_config,
                )
            },
            "preferenceOptimizationSpec.evaluationConfig.metrics[0] is not a metric the "
            "tuneops emulator computes (bleuSpec, exactMatchSpec, rougeSpec).",
        ),
    ],
)
def test_bad_preference_jobs_get_a_400_naming_the_field(
    emulator: EmulatorHandle, config: dict[str, object], message: str
) -> None:
    emulator.offer("gemini-3.5-flash", "preference")
    client = vertex_client(emulator.url, "v1beta1")
    with pytest.raises(errors.ClientError) as refused:
        _preference(client, **config)
    assert refused.value.code == 400
    assert message in str(refused.value)
