"""Gemini API tunedModels over raw HTTP: operations, ids, patch, list, errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.support import EXAMPLES, Http, gemini_http, model_body
from tuneops.emulator import EmulatorHandle

META = "type.googleapis.com/google.ai.generativelanguage.v1beta.CreateTunedModelMetadata"

# The Gemini API's tuning flow as it was until 2025 (seed 003); today's default
# refusal is in test_emulator_models.py.
pytestmark = pytest.mark.gemini_tuning_available


@pytest.fixture
def api(emulator: EmulatorHandle) -> Http:
    return gemini_http(emulator.url)


def test_create_with_an_id_answers_the_operation(api: Http) -> None:
    operation = api.ok(
        "POST", "/v1beta/tunedModels", params={"tunedModelId": "num-gen"}, json=model_body()
    )
    op_id = operation["name"].rsplit("/", 1)[1]
    assert operation == {
        "name": f"tunedModels/num-gen/operations/{op_id}",
        "metadata": {"@type": META, "totalSteps": 8, "tunedModel": "tunedModels/num-gen"},
    }
    assert len(op_id) == 12 and op_id.isalnum()

    again = api.call(
        "POST", "/v1beta/tunedModels", params={"tunedModelId": "num-gen"}, json=model_body()
    )
    assert again.status_code == 409
    assert again.json() == {
        "error": {
            "code": 409,
            "message": "Tuned model tunedModels/num-gen already exists.",
            "status": "ALREADY_EXISTS",
        }
    }


def test_the_operation_reports_progress_then_the_model(emulator: EmulatorHandle, api: Http) -> None:
    name = api.ok("POST", "/v1beta/tunedModels", json=model_body())["name"]
    model = name.split("/operations/")[0]
    emulator.advance(2 + 15)  # queued 2 s, then half of the 30 s run
    half = api.ok("GET", f"/v1beta/{name}")
    assert "done" not in half
    assert half["metadata"]["completedSteps"] == 4
    assert half["metadata"]["completedPercent"] == 50.0
    snapshots = half["metadata"]["snapshots"]
    assert [s["step"] for s in snapshots] == [1, 2, 3, 4]
    assert [s["epoch"] for s in snapshots] == [1, 2, 2, 3]
    losses = [s["meanLoss"] for s in snapshots]
    assert losses == sorted(losses, reverse=True) and len(set(losses)) == 4
    assert snapshots[-1]["computeTime"] == "2025-01-01T00:00:17.000000Z"

    emulator.advance(15)
    done = api.ok("GET", f"/v1/{name}")  # operations are served under v1 too
    assert done["done"] is True
    assert done["metadata"]["completedSteps"] == 8
    assert done["metadata"]["completedPercent"] == 100.0
    response = done["response"]
    assert response["@type"] == "type.googleapis.com/google.ai.generativelanguage.v1beta.TunedModel"
    assert response["name"] == model and response["state"] == "ACTIVE"
    assert api.ok("GET", f"/v1beta/{model}/operations") == {"operations": [done]}


def test_get_shows_defaults_and_never_the_training_data(
    emulator: EmulatorHandle, api: Http
) -> None:
    name = api.ok("POST", "/v1beta/tunedModels", json=model_body())["metadata"]["tunedModel"]
    assert name.startswith("tunedModels/number-generator-")
    emulator.advance(32)
    model = api.ok("GET", f"/v1beta/{name}")
    snapshots = model["tuningTask"].pop("snapshots")
    assert model == {
        "name": name,
        "baseModel": "models/gemini-1.5-flash-001-tuning",
        "displayName": "number generator",
        "temperature": 1,
        "topP": 0.95,
        "topK": 64,
        "state": "ACTIVE",
        "createTime": "2025-01-01T00:00:00.000000Z",
        "updateTime": "2025-01-01T00:00:32.000000Z",
        "tuningTask": {
            "startTime": "2025-01-01T00:00:02.000000Z",
            "completeTime": "2025-01-01T00:00:32.000000Z",
            "hyperparameters": {"learningRate": 0.001, "epochCount": 5, "batchSize": 2},
        },
    }
    assert len(snapshots) == 8 and snapshots[-1]["epoch"] == 5


def test_forced_failure_ends_the_operation_with_an_error(
    emulator: EmulatorHandle, api: Http
) -> None:
    name = api.ok("POST", "/v1beta/tunedModels", json=model_body())["name"]
    model = name.split("/operations/")[0]
    emulator.advance(5)
    assert emulator.force(model, "fail")["state"] == "FAILED"
    operation = api.ok("GET", f"/v1beta/{name}")
    assert operation["done"] is True
    assert operation["error"] == {"code": 13, "message": "Tuning failed with an internal error."}
    assert "response" not in operation
    assert api.ok("GET", f"/v1beta/{model}")["state"] == "FAILED"


@pytest.mark.parametrize(
    ("params", "body", "message"),
    [
        (
            {"tunedModelId": "Bad_Id"},
            model_body(),
            "tunedModelId 'Bad_Id' is invalid: it must be 1"
            " to 40 characters of lowercase letters, digits and dashes, start with a letter and not"
            " end with a dash.",
        ),
        (
            {},
            model_body(displayName="x" * 41),
            "displayName is 41 characters long; the maximum is 40.",
        ),
        (
            {},
            model_body(baseModel="gemini-1.5-flash"),
            "baseModel 'gemini-1.5-flash' must name a model as models/{model}.",
        ),
        (
            {},
            model_body(tuningTask={"trainingData": {"examples": {"examples": []}}}),
            "tuningTask.trainingData.examples.examples must not be empty.",
        ),
        (
            {},
            model_body(tuningTask={"trainingData": {"examples": {"examples": [{"output": "x"}]}}}),
            "tuningTask.trainingData.examples.examples[0].textInput is required.",
        ),
        ({}, model_body(temperature=1.5), "temperature must be between 0.0 and 1.0, got 1.5."),
    ],
)
def test_invalid_creates_are_400(api: Http, params: Any, body: Any, message: str) -> None:
    response = api.call("POST", "/v1beta/tunedModels", params=params, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": 400,
        "message": message,
        "status": "INVALID_ARGUMENT",
    }


def test_snake_case_examples_are_accepted(emulator: EmulatorHandle, api: Http) -> None:
    body = {
        "display_name": "snake",
        "base_model": "models/gemini-1.5-flash-001-tuning",
        "tuning_task": {
            "training_data": {"examples": {"examples": [{"text_input": "ping", "output": "pong"}]}}
        },
    }
    name = api.ok("POST", "/v1beta/tunedModels", json=body)["metadata"]["tunedModel"]
    emulator.force(name, "succeed")
    reply = api.ok(
        "POST",
        f"/v1/{name}:generateContent",
        json={"contents": [{"role": "user", "parts": [{"text": "pi"}, {"text": "ng"}]}]},
    )
    assert reply["candidates"][0]["content"] == {"parts": [{"text": "pong"}], "role": "model"}


def test_patch_with_and_without_a_mask(emulator: EmulatorHandle, api: Http) -> None:
    name = api.ok("POST", "/v1beta/tunedModels", json=model_body(description="d"))["metadata"][
        "tunedModel"
    ]
    patched = api.ok(
        "PATCH",
        f"/v1beta/{name}",
        params={"updateMask": "description,top_k"},
        json={"displayName": "ignored", "topK": 10},
    )
    assert "description" not in patched  # in the mask, absent from the body: cleared
    assert (patched["displayName"], patched["topK"]) == ("number generator", 10)
    whole = api.ok("PATCH", f"/v1beta/{name}", json={**patched, "displayName": "new"})
    assert whole["displayName"] == "new" and whole["baseModel"] == patched["baseModel"]
    refused = api.call("PATCH", f"/v1beta/{name}", params={"updateMask": "base_model"}, json={})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        "updateMask names 'base_model', which cannot be updated; updatable: display_name,"
        " description, temperature, top_p, top_k, reader_project_numbers."
    )


def test_list_filters_and_pages(api: Http) -> None:
    for title in ("alpha model", "beta model", "alpha two"):
        api.ok("POST", "/v1beta/tunedModels", json=model_body(displayName=title))
    every = api.ok("GET", "/v1beta/tunedModels", params={"filter": "owner:me"})["tunedModels"]
    assert [m["displayName"] for m in every] == ["alpha two", "beta model", "alpha model"]
    alpha = api.ok("GET", "/v1beta/tunedModels", params={"filter": "ALPHA"})["tunedModels"]
    assert [m["displayName"] for m in alpha] == ["alpha two", "alpha model"]
    assert api.ok("GET", "/v1beta/tunedModels", params={"filter": "readers:everyone"}) == {}
    first = api.ok("GET", "/v1beta/tunedModels", params={"pageSize": 2})
    rest = api.ok(
        "GET", "/v1beta/tunedModels", params={"pageSize": 2, "pageToken": first["nextPageToken"]}
    )
    assert [m["displayName"] for m in rest["tunedModels"]] == ["alpha model"]
    assert "nextPageToken" not in rest
    bad = api.call("GET", "/v1beta/tunedModels", params={"filter": "state=ACTIVE"})
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "Unsupported filter term 'state=ACTIVE'."


def test_missing_models_and_operations_are_404(api: Http) -> None:
    for method, path in [
        ("GET", "/v1beta/tunedModels/nope"),
        ("PATCH", "/v1beta/tunedModels/nope"),
        ("DELETE", "/v1beta/tunedModels/nope"),
        ("POST", "/v1beta/tunedModels/nope:generateContent"),
    ]:
        kwargs: dict[str, Any] = {"json": {"contents": [{"parts": [{"text": "x"}]}]}}
        response = api.call(method, path, **(kwargs if method == "POST" else {"json": {}}))
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["message"] == "Tuned model tunedModels/nope does not exist."
    operation = api.call("GET", "/v1beta/tunedModels/nope/operations/abc")
    assert operation.status_code == 404
    assert operation.json()["error"]["message"] == (
        "Operation tunedModels/nope/operations/abc does not exist."
    )


def test_generate_content_needs_contents(emulator: EmulatorHandle, api: Http) -> None:
    name = api.ok("POST", "/v1beta/tunedModels", json=model_body())["metadata"]["tunedModel"]
    emulator.force(name, "succeed")
    response = api.call("POST", f"/v1beta/{name}:generateContent", json={})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "* GenerateContentRequest.contents: contents is not specified\n"
    )
    assert (
        EXAMPLES[0]["output"]
        == api.ok(
            "POST",
            f"/v1beta/{name}:generateContent",
            json={"contents": [{"parts": [{"text": EXAMPLES[0]["textInput"]}]}]},
        )["candidates"][0]["content"]["parts"][0]["text"]
    )
