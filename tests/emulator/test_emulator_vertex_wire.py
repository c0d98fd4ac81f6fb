"""Vertex AI tuningJobs over raw HTTP: the exact JSON, status codes and texts."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from tests.emulator.support import (
    NUMBER,
    PARENT,
    PROJECT,
    TRAIN,
    Http,
    job_body,
    parse_error,
    vertex_http,
)
from tuneops.emulator import EmulatorHandle

JOBS = f"/v1/projects/{PROJECT}/locations/us-central1/tuningJobs"


@pytest.fixture
def api(emulator: EmulatorHandle) -> Http:
    return vertex_http(emulator.url)


def test_create_answers_the_pending_job_in_canonical_json(api: Http) -> None:
    job = api.ok("POST", JOBS, json=job_body(description="", serviceAccount=None))
    job_id = job["name"].rsplit("/", 1)[1]
    assert job == {
        "name": f"{PARENT}/tuningJobs/{job_id}",
        "tunedModelDisplayName": "support-bot",
        "baseModel": "gemini-3.5-flash",
        "supervisedTuningSpec": {
            "trainingDatasetUri": TRAIN,
            "hyperParameters": {"epochCount": "3", "adapterSize": "ADAPTER_SIZE_FOUR"},
        },
        "labels": {"tuneops-stack": "demo"},
        "state": "JOB_STATE_PENDING",
        "createTime": "2025-01-01T00:00:00.000000Z",
        "updateTime": "2025-01-01T00:00:00.000000Z",
    }
    assert len(job_id) == 19 and job_id.isdigit()


def test_snake_case_input_is_accepted_and_defaults_are_omitted(api: Http) -> None:
    body = {
        "base_model": "gemini-3.5-flash",
        "tuned_model_display_name": "snake",
        "supervised_tuning_spec": {
            "training_dataset_uri": TRAIN,
            "export_last_checkpoint_only": False,
            "hyper_parameters": {"epoch_count": "4", "learning_rate_multiplier": 1.0},
        },
    }
    job = api.ok("POST", JOBS, json=body)
    assert job["supervisedTuningSpec"] == {
        "trainingDatasetUri": TRAIN,
        "hyperParameters": {"epochCount": "4", "learningRateMultiplier": 1},
    }
    assert job["tunedModelDisplayName"] == "snake"


def error_of(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    return body["error"]


@pytest.mark.parametrize(
    ("body", "message", "field"),
    [
        (
            job_body(colour="red"),
            "Invalid JSON payload received. Unknown name \"colour\" at 'tuning_job': "
            "Cannot find field.",
            "tuning_job",
        ),
        (
            job_body(supervisedTuningSpec={"trainingDatasetUri": TRAIN, "epochs": 3}),
            'Invalid JSON payload received. Unknown name "epochs" at '
            "'tuning_job.supervised_tuning_spec': Cannot find field.",
            "tuning_job.supervised_tuning_spec",
        ),
        (
            job_body(
                supervisedTuningSpec={
                    "trainingDatasetUri": TRAIN,
                    "hyperParameters": {"epochCount": "abc"},
                }
            ),
            "Invalid value at 'tuning_job.supervised_tuning_spec.hyper_parameters.epoch_count'"
            ' (TYPE_INT64), "abc"',
            "tuning_job.supervised_tuning_spec.hyper_parameters.epoch_count",
        ),
        (
            job_body(
                supervisedTuningSpec={
                    "trainingDatasetUri": TRAIN,
                    "hyperParameters": {"adapterSize": "ADAPTER_SIZE_FIVE"},
                }
            ),
            "Invalid value at 'tuning_job.supervised_tuning_spec.hyper_parameters.adapter_size'"
            " (type.googleapis.com/google.cloud.aiplatform.v1.SupervisedHyperParameters."
            'AdapterSize), "ADAPTER_SIZE_FIVE"',
            "tuning_job.supervised_tuning_spec.hyper_parameters.adapter_size",
        ),
        (
            job_body(
                supervisedTuningSpec={
                    "trainingDatasetUri": TRAIN,
                    "hyperParameters": {"batchSize": 8},
                }
            ),
            'Invalid JSON payload received. Unknown name "batchSize" at '
            "'tuning_job.supervised_tuning_spec.hyper_parameters': Cannot find field.",
            "tuning_job.supervised_tuning_spec.hyper_parameters",
        ),
    ],
)
def test_proto_json_parse_errors(api: Http, body: Any, message: str, field: str) -> None:
    response = api.call("POST", JOBS, json=body)
    assert response.status_code == 400
    assert response.json() == parse_error(message, field)


def test_v1beta1_knows_fields_v1_does_not(api: Http) -> None:
    spec = {"trainingDatasetUri": TRAIN, "hyperParameters": {"batchSize": 8, "learningRate": 0.5}}
    beta = api.ok(
        "POST", JOBS.replace("/v1/", "/v1beta1/"), json=job_body(supervisedTuningSpec=spec)
    )
    assert beta["supervisedTuningSpec"]["hyperParameters"] == {
        "learningRate": 0.5,
        "batchSize": "8",
    }
    # v1 does not show what it does not know.
    seen_by_v1 = api.ok("GET", "/v1/" + beta["name"])
    assert seen_by_v1["supervisedTuningSpec"]["hyperParameters"] == {}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"baseModel": None}, "baseModel or preTunedModel is required."),
        (
            {"preTunedModel": {"tunedModelName": f"{PARENT}/models/1@1"}},
            "Only one of baseModel and preTunedModel may be set.",
        ),
        ({"supervisedTuningSpec": None}, "supervisedTuningSpec is required."),
        (
            {"supervisedTuningSpec": {"validationDatasetUri": TRAIN}},
            "supervisedTuningSpec.trainingDatasetUri is required.",
        ),
        (
            {
                "supervisedTuningSpec": {
                    "trainingDatasetUri": TRAIN,
                    "hyperParameters": {"learningRateMultiplier": 0},
                }
            },
            "supervisedTuningSpec.hyperParameters.learningRateMultiplier must be greater than 0,"
            " got 0.0.",
        ),
        (
            {"labels": {f"k{i}": "v" for i in range(65)}},
            "labels has 65 entries; the maximum is 64.",
        ),
        (
            {"labels": {"team": "Support"}},
            "labels value 'Support' (key 'team') may contain only lowercase letters, digits,"
            " underscores and dashes.",
        ),
        (
            {"labels": {"k" * 65: "v"}},
            f"labels key '{'k' * 65}' must be 1 to 64 characters long.",
        ),
    ],
)
def test_validation_errors_name_the_field(api: Http, fields: Any, message: str) -> None:
    response = api.call("POST", JOBS, json=job_body(**fields))
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
    }


def test_international_lowercase_labels_are_accepted(api: Http) -> None:
    job = api.ok("POST", JOBS, json=job_body(labels={"équipe": "données_1"}))
    assert job["labels"] == {"équipe": "données_1"}


def test_dataset_resource_names_are_accepted(api: Http) -> None:
    dataset = f"projects/{PROJECT}/locations/us-central1/datasets/42"
    job = api.ok("POST", JOBS, json=job_body(supervisedTuningSpec={"trainingDatasetUri": dataset}))
    assert job["supervisedTuningSpec"] == {"trainingDatasetUri": dataset}


def test_other_tuning_methods_are_not_emulated(api: Http) -> None:
    response = api.call(
        "POST", JOBS.replace("/v1/", "/v1beta1/"), json=job_body(distillationSpec={})
    )
    assert response.status_code == 501
    assert error_of(response)["status"] == "UNIMPLEMENTED"


def test_continuous_tuning_adds_a_model_version(emulator: EmulatorHandle, api: Http) -> None:
    # The SDK sends preTunedModel with snake_case keys (wire-format A.13).
    body = job_body(
        baseModel=None,
        preTunedModel={"tuned_model_name": f"{PARENT}/models/555@2", "checkpoint_id": "3"},
    )
    job = api.ok("POST", JOBS, json=body)
    assert job["preTunedModel"] == {"tunedModelName": f"{PARENT}/models/555@2", "checkpointId": "3"}
    emulator.force(job["name"], "succeed")
    done = api.ok("GET", "/v1/" + job["name"])
    assert done["tunedModel"]["model"] == f"{PARENT}/models/555@3"


def test_project_id_and_number_name_the_same_jobs(emulator: EmulatorHandle, api: Http) -> None:
    job = api.ok("POST", JOBS, json=job_body())
    job_id = job["name"].rsplit("/", 1)[1]
    assert job["name"].startswith(f"projects/{NUMBER}/")
    for project in (PROJECT, NUMBER):
        path = f"/v1/projects/{project}/locations/us-central1/tuningJobs"
        assert api.ok("GET", f"{path}/{job_id}")["name"] == job["name"]
        assert [j["name"] for j in api.ok("GET", path)["tuningJobs"]] == [job["name"]]
    other = api.ok(
        "POST", "/v1/projects/other-proj/locations/us-central1/tuningJobs", json=job_body()
    )
    other_number = emulator.projects()["other-proj"]
    assert emulator.projects() == {PROJECT: NUMBER, "other-proj": other_number}
    assert other["name"].startswith(f"projects/{other_number}/locations/us-central1/")
    assert other_number != NUMBER and len(other_number) == 12
    assert [j["name"] for j in api.ok("GET", JOBS)["tuningJobs"]] == [job["name"]]
    api.ok("POST", f"/v1/projects/{NUMBER}/locations/us-central1/tuningJobs/{job_id}:cancel")
    assert api.ok("GET", f"{JOBS}/{job_id}")["state"] == "JOB_STATE_CANCELLING"
    wrong_region = api.call(
        "GET", f"/v1/projects/{PROJECT}/locations/europe-west4/tuningJobs/{job_id}"
    )
    assert wrong_region.status_code == 404


def test_pages_newest_first_with_opaque_tokens(emulator: EmulatorHandle, api: Http) -> None:
    assert api.ok("GET", JOBS) == {}
    names = [api.ok("POST", JOBS, json=job_body())["name"] for _ in range(5)]
    emulator.advance(1)
    names.append(api.ok("POST", JOBS, json=job_body())["name"])
    assert [j["name"] for j in api.ok("GET", JOBS)["tuningJobs"]] == names[::-1]

    first = api.ok("GET", JOBS, params={"pageSize": 4})
    assert len(first["tuningJobs"]) == 4
    # A job created between pages neither repeats nor shifts the pages.
    api.ok("POST", JOBS, json=job_body())
    second = api.ok("GET", JOBS, params={"pageSize": 4, "pageToken": first["nextPageToken"]})
    assert "nextPageToken" not in second
    seen = [j["name"] for j in first["tuningJobs"] + second["tuningJobs"]]
    assert seen == names[::-1]

    exact = api.ok("GET", JOBS, params={"pageSize": 7})
    assert len(exact["tuningJobs"]) == 7 and "nextPageToken" not in exact


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"pageToken": "garbage"}, "Invalid page token: garbage."),
        ({"pageSize": "-1"}, "page_size must not be negative, got -1."),
        ({"pageSize": "abc"}, "Invalid value at 'page_size' (TYPE_INT32), \"abc\""),
        (
            {"colour": "red"},
            'Invalid JSON payload received. Unknown name "colour": Cannot bind query parameter.'
            " Field 'colour' could not be found in request message.",
        ),
    ],
)
def test_bad_list_parameters_are_400(api: Http, params: Any, message: str) -> None:
    response = api.call("GET", JOBS, params=params)
    assert response.status_code == 400
    assert error_of(response)["message"] == message
    assert error_of(response)["status"] == "INVALID_ARGUMENT"


def test_a_token_belongs_to_its_filter(api: Http) -> None:
    for _ in range(3):
        api.ok("POST", JOBS, json=job_body())
    page = api.ok("GET", JOBS, params={"pageSize": 1, "filter": 'labels.tuneops-stack="demo"'})
    response = api.call("GET", JOBS, params={"pageSize": 1, "pageToken": page["nextPageToken"]})
    assert response.status_code == 400
    assert error_of(response)["message"] == (
        "The page token does not belong to this list request (parent or filter)."
    )


def test_page_size_default_and_maximum() -> None:
    from tuneops.emulator.vertex import PAGE_SIZE

    assert (PAGE_SIZE.resolve(None), PAGE_SIZE.resolve(0)) == (100, 100)
    assert (PAGE_SIZE.resolve(5000), PAGE_SIZE.resolve(1000), PAGE_SIZE.resolve(3)) == (
        1000,
        1000,
        3,
    )


def test_non_numeric_job_id_is_400(api: Http) -> None:
    response = api.call("GET", f"{JOBS}/abc")
    assert response.status_code == 400
    assert (
        error_of(response)["message"] == "Invalid tuning job id 'abc': tuning job ids are numbers."
    )


def test_cancel_accepts_an_empty_body_and_rejects_fields(api: Http) -> None:
    name = api.ok("POST", JOBS, json=job_body())["name"]
    response = api.call("POST", f"/v1/{name}:cancel", json={"force": True})
    assert response.status_code == 400
    assert error_of(response)["message"] == (
        'Invalid JSON payload received. Unknown name "force": Cannot find field.'
    )
    assert api.ok("POST", f"/v1/{name}:cancel", data=b"") == {}
    assert api.ok("POST", f"/v1/{name}:cancel", json={}) == {}  # already cancelling: no-op


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/tuningJobs"), ("PUT", JOBS), ("DELETE", JOBS + "/1234"), ("GET", "/v2/x")],
)
def test_paths_no_api_serves_are_404(api: Http, method: str, path: str) -> None:
    response = api.call(method, path)
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": 404,
            "message": f"The requested URL {path} was not found on this server.",
            "status": "NOT_FOUND",
        }
    }


def test_keep_alive_and_content_length(emulator: EmulatorHandle) -> None:
    connection = http.client.HTTPConnection(emulator.host, emulator.port, timeout=5)
    headers = {"Authorization": "Bearer t", "Content-Type": "application/json"}
    connection.request("POST", JOBS, body=json.dumps(job_body()), headers=headers)
    first = connection.getresponse()
    payload = first.read()
    assert first.status == 200
    assert int(first.headers["Content-Length"]) == len(payload)
    assert first.headers["Content-Type"] == "application/json; charset=UTF-8"
    socket_before = connection.sock
    connection.request("GET", JOBS, headers=headers)
    second = connection.getresponse()
    listed = second.read()
    assert second.status == 200 and int(second.headers["Content-Length"]) == len(listed)
    assert connection.sock is socket_before  # the same connection served both
    connection.close()
