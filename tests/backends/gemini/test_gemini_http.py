"""The Gemini API backend over real HTTP against the emulator."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.backends.conftest import BackendFactory, Control, options
from tests.backends.support import API_KEY, gemini_job
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.transport import errors
from tuneops.backends.transport.errors import InvalidRequestError
from tuneops.emulator import EmulatorHandle
from tuneops.specs.kinds import BackendKind as Kind
from tuneops.specs.kinds import JobState

CREATE = "POST /v1beta/tunedModels"
LIST = "GET /v1beta/tunedModels"
GET = "GET /v1beta/tunedModels/{tunedModel}"
OPERATION = "GET /v1beta/tunedModels/{tunedModel}/operations/{operation}"
OPERATIONS = "GET /v1beta/tunedModels/{tunedModel}/operations"
DELETE = "DELETE /v1beta/tunedModels/{tunedModel}"
MODELS = r"/tunedModels$"

# The Gemini API's tuning flow as it was until 2025 (seed 003).
pytestmark = pytest.mark.gemini_tuning_available


def raw_create(url: str, model_id: str | None, description: str | None) -> str:
    """A tuned model made by someone else (plain HTTP); returns its name."""
    body: dict[str, Any] = {
        "baseModel": "models/gemini-1.5-flash-001-tuning",
        "tuningTask": {
            "trainingData": {"examples": {"examples": [{"textInput": "a", "output": "b"}]}}
        },
    }
    if description is not None:
        body["description"] = description
    response = requests.post(
        f"{url}/v1beta/tunedModels",
        params={"tunedModelId": model_id} if model_id else None,
        json=body,
        headers={"x-goog-api-key": API_KEY},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["metadata"]["tunedModel"])


def test_create_then_follow_the_model_to_active(gemini: Backend, control: Control) -> None:
    spec = gemini_job(protect=True, description="Counts.")
    job = gemini.create(spec, "prod")
    assert job.name == f"tunedModels/roman-numerals-{spec.spec_hash[:8]}"
    assert (
        job.backend,
        job.spec_name,
        job.spec_hash,
        job.stack,
        job.protect,
        job.state,
        job.progress,
        job.nonce,
        job.project,
        job.location,
        job.model,
        job.endpoint,
        dict(job.labels),
    ) == (
        Kind.GEMINI,
        "roman-numerals",
        spec.spec_hash[:16],
        "prod",
        True,
        JobState.RUNNING,
        0.0,
        None,
        None,
        None,
        None,
        None,
        {},
    )
    assert control.counts() == {CREATE: 1, GET: 1}

    control.advance(2.0 + 15.0)  # queued, then half of the 30 s run
    halfway = gemini.get(job.name)
    assert halfway.state is JobState.RUNNING
    assert halfway.progress is not None and 0.0 < halfway.progress < 100.0

    control.advance(30.0)
    done = gemini.get(job.name)
    assert done.state is JobState.SUCCEEDED
    assert (done.model, done.endpoint, done.progress) == (job.name, job.name, 100.0)
    assert done.end_time is not None
    assert gemini.generate(job.name, "1") == "2"  # a training input gets its output
    assert gemini.generate(job.name, "hello") == "untuned answer to: hello"


def test_progress_of_a_model_made_by_another_process(
    make_backend: BackendFactory, control: Control
) -> None:
    job = make_backend(Kind.GEMINI).create(gemini_job(), "prod")
    control.advance(2.0 + 15.0)
    control.clear_counts()
    other = make_backend(Kind.GEMINI)
    seen = other.get(job.name)
    assert seen.progress is not None and 0.0 < seen.progress < 100.0
    assert control.counts() == {GET: 1, OPERATIONS: 1}
    other.get(job.name)
    assert control.counts() == {GET: 2, OPERATIONS: 1, OPERATION: 1}


def test_repeated_create_is_answered_409_and_returns_the_same_model(
    gemini: Backend, control: Control
) -> None:
    spec = gemini_job()
    first = gemini.create(spec, "prod")
    again = gemini.create(spec, "prod")
    assert again.name == first.name
    assert (again.spec_name, again.spec_hash, again.stack) == (
        first.spec_name,
        first.spec_hash,
        first.stack,
    )
    assert control.counts()[CREATE] == 2
    assert [j.name for j in gemini.list_jobs("prod", None, None)] == [first.name]


def test_commit_then_fail_on_create_adopts_the_model_through_the_409(
    gemini: Backend, control: Control
) -> None:
    control.fault(method="POST", path=MODELS, kind="commit-then-fail", status=503)
    job = gemini.create(gemini_job(), "prod")
    assert [j.name for j in gemini.list_jobs("prod", None, None)] == [job.name]
    assert control.counts()[CREATE] == 2


def test_a_409_for_a_model_that_is_not_ours_is_an_error(
    gemini: Backend, emulator: EmulatorHandle
) -> None:
    spec = gemini_job()
    squatter = raw_create(emulator.url, f"roman-numerals-{spec.spec_hash[:8]}", "mine")
    with pytest.raises(errors.AlreadyExistsError) as caught:
        gemini.create(spec, "prod")
    assert str(caught.value).endswith(
        f"409 ALREADY_EXISTS: {squatter} exists but is not the model of spec 'roman-numerals' "
        f"in stack 'prod' with hash {spec.spec_hash[:16]}; delete or rename it"
    )


def test_listing_keeps_the_stacks_marked_models_over_every_page(
    make_backend: BackendFactory, emulator: EmulatorHandle, control: Control
) -> None:
    gemini = make_backend(Kind.GEMINI, options=options(page_size=3))
    ours = {gemini.create(gemini_job(name=f"ours-{i}"), "prod").name for i in range(4)}
    gemini.create(gemini_job(name="theirs"), "staging")
    raw_create(emulator.url, None, "someone else's model")
    # A valid-looking marker on a model whose id does not match it: not ours.
    raw_create(emulator.url, "copied-00000000", "[tuneops stack=prod name=a hash=0123456789abcdef]")
    control.clear_counts()
    listed = gemini.list_jobs("prod", None, None)
    assert {job.name for job in listed} == ours
    assert control.counts() == {LIST: 3}  # 8 models, 3 a page


def test_failed_model(gemini: Backend, control: Control) -> None:
    job = gemini.create(gemini_job(), "prod")
    control.force(job.name, "fail")
    failed = gemini.get(job.name)
    assert failed.state is JobState.FAILED
    assert (failed.model, failed.endpoint) == (None, None)


def test_delete_and_a_delete_whose_answer_was_lost(gemini: Backend, control: Control) -> None:
    first = gemini.create(gemini_job(name="first"), "prod")
    second = gemini.create(gemini_job(name="second"), "prod")
    gemini.delete(first.name)
    control.fault(method="DELETE", path=r"/tunedModels/", kind="commit-then-fail", status=503)
    gemini.delete(second.name)  # the retry's 404 means the lost attempt deleted it
    assert gemini.list_jobs("prod", None, None) == []
    assert control.counts()[DELETE] == 3
    with pytest.raises(errors.NotFoundError):
        gemini.delete(first.name)  # gone on the first attempt: a real error


def test_cancel_is_unsupported(gemini: Backend, control: Control) -> None:
    assert gemini.capabilities.cancel is False and gemini.capabilities.delete is True
    with pytest.raises(errors.UnsupportedOperationError, match="delete the tuned model instead"):
        gemini.cancel("tunedModels/x")
    assert control.counts() == {}


def test_generate_before_the_model_is_ready_is_a_failed_precondition(
    gemini: Backend,
) -> None:
    job = gemini.create(gemini_job(), "prod")
    with pytest.raises(errors.FailedPreconditionError, match="is not ready"):
        gemini.generate(job.name, "1")


@pytest.mark.parametrize("name", ["models/x", "tunedModels/X", "tunedModels/a/b"])
def test_malformed_names_are_refused(gemini: Backend, control: Control, name: str) -> None:
    with pytest.raises(InvalidRequestError):
        gemini.get(name)
    assert control.counts() == {}
