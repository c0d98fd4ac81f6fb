"""The error tree: classification by status, retry data, message text, redaction."""

from __future__ import annotations

import random

import pytest

from tests.backends.support import API_KEY, TOKEN
from tuneops.backends.transport import errors as e
from tuneops.backends.transport.answers import parse_retry_after
from tuneops.backends.transport.http import RetryPolicy
from tuneops.backends.transport.redact import redact, redact_url, register_secret
from tuneops.errors import TuneopsError


@pytest.mark.parametrize(
    ("status", "rpc", "expected"),
    [
        (400, "INVALID_ARGUMENT", e.InvalidArgumentError),
        (400, "OUT_OF_RANGE", e.InvalidArgumentError),
        (400, "FAILED_PRECONDITION", e.FailedPreconditionError),
        (400, None, e.InvalidArgumentError),
        (401, "UNAUTHENTICATED", e.UnauthenticatedError),
        (403, "PERMISSION_DENIED", e.PermissionDeniedError),
        (404, "NOT_FOUND", e.NotFoundError),
        (404, None, e.NotFoundError),
        (409, "ALREADY_EXISTS", e.AlreadyExistsError),
        (409, "ABORTED", e.AbortedError),
        (418, None, e.ClientError),
        (429, "RESOURCE_EXHAUSTED", e.RateLimitedError),
        (429, None, e.RateLimitedError),
        (500, "INTERNAL", e.ServerError),
        (501, "UNIMPLEMENTED", e.NotImplementedServerError),
        (502, None, e.ServerError),
        (503, "UNAVAILABLE", e.ServerError),
        (504, "DEADLINE_EXCEEDED", e.ServerError),
        # A client-side rpc name on a 5xx does not make it a client error.
        (503, "NOT_FOUND", e.ServerError),
    ],
)
def test_error_class_follows_rpc_status_then_http_status(
    status: int, rpc: str | None, expected: type[e.RemoteError]
) -> None:
    assert e.error_class(status, rpc) is expected


@pytest.mark.parametrize(
    ("cls", "retryable", "may_have_committed"),
    [
        (e.InvalidArgumentError, False, False),
        (e.FailedPreconditionError, False, False),
        (e.UnauthenticatedError, False, False),
        (e.PermissionDeniedError, False, False),
        (e.NotFoundError, False, False),
        (e.AlreadyExistsError, False, False),
        (e.RateLimitedError, True, False),
        (e.ServerError, True, True),
        (e.NotImplementedServerError, False, False),
        (e.ConnectError, True, False),
        (e.ReadTimeoutError, True, True),
        (e.ConnectionDroppedError, True, True),
        (e.InvalidResponseError, True, True),
        (e.CreateOutcomeUnknownError, False, False),
    ],
)
def test_retry_decisions_are_data_on_the_classes(
    cls: type[e.RemoteError], retryable: bool, may_have_committed: bool
) -> None:
    assert (cls.retryable, cls.may_have_committed) == (retryable, may_have_committed)


def test_the_tree_mirrors_http() -> None:
    assert issubclass(e.RemoteError, TuneopsError)
    for remote in (e.NotFoundError, e.RateLimitedError, e.AlreadyExistsError):
        assert issubclass(remote, e.ClientError)
    assert issubclass(e.NotImplementedServerError, e.ServerError)
    assert issubclass(e.ConnectionDroppedError, e.TransportError)
    for cls in (e.CredentialsError, e.UnsupportedOperationError, e.IdentityError):
        assert issubclass(cls, TuneopsError) and not issubclass(cls, e.RemoteError)
    assert e.RemoteError("x").exit_code == 1


def test_message_carries_method_url_statuses_and_the_service_text() -> None:
    error = e.NotFoundError(
        "Tuning job 42 does not exist.",
        method="GET",
        url="https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/tuningJobs/42",
        http_status=404,
        rpc_status="NOT_FOUND",
    )
    assert str(error) == (
        "GET https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/"
        "tuningJobs/42: 404 NOT_FOUND: Tuning job 42 does not exist."
    )
    assert repr(error) == f"NotFoundError({str(error)!r})"
    assert (error.http_status, error.rpc_status, error.service_message) == (
        404,
        "NOT_FOUND",
        "Tuning job 42 does not exist.",
    )


def test_secrets_are_redacted_from_url_message_and_repr() -> None:
    register_secret(TOKEN)
    register_secret(API_KEY)
    error = e.PermissionDeniedError(
        f"token {TOKEN} and key {API_KEY} refused; header was Authorization: Bearer abc.def",
        method="POST",
        url=f"https://h/v1beta/tunedModels?key={API_KEY}&pageSize=5",
        http_status=403,
    )
    text = f"{error} {error!r} {error.url} {error.service_message}"
    assert TOKEN not in text and API_KEY not in text and "abc.def" not in text
    assert str(error) == (
        "POST https://h/v1beta/tunedModels?key=<redacted>&pageSize=5: 403: "
        "token <redacted> and key <redacted> refused; header was Authorization: Bearer <redacted>"
    )


def test_redact_url_masks_user_info_and_credential_parameters() -> None:
    assert redact_url("https://user:pw@h:8443/v1/x?access_token=abc&filter=a%3Db") == (
        "https://<redacted>@h:8443/v1/x?access_token=<redacted>&filter=a=b"
    )
    assert redact_url("http://127.0.0.1:5/v1/x?pageSize=5") == "http://127.0.0.1:5/v1/x?pageSize=5"


def test_short_secrets_are_redacted_too() -> None:
    # The registry is process-wide: a string no other test prints.
    register_secret("Q7%")
    assert redact("key Q7% in a message") == "key <redacted> in a message"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error": {"code": 404, "message": "gone", "status": "NOT_FOUND"}}, ("NOT_FOUND", "gone")),
        (
            {"code": 400, "message": "top level", "status": "INVALID_ARGUMENT"},
            ("INVALID_ARGUMENT", "top level"),
        ),
        ({"error": "nope"}, (None, None)),
        ("<html>", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_error_body(body: object, expected: tuple[str | None, str | None]) -> None:
    assert e.parse_error_body(body) == expected


def test_backoff_caps_grow_exponentially_to_the_maximum() -> None:
    policy = RetryPolicy(initial_backoff=1.0, max_backoff=30.0, multiplier=2.0)
    assert [policy.backoff_cap(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_backoff_is_full_jitter_within_the_cap() -> None:
    policy = RetryPolicy(initial_backoff=1.0, max_backoff=30.0)
    rng = random.Random(7)
    samples = [policy.backoff(4, rng) for _ in range(2000)]
    assert all(0.0 <= s <= 8.0 for s in samples)
    # Full jitter spreads over the whole range, not just near the cap.
    assert min(samples) < 0.1 and max(samples) > 7.9
    assert 3.6 < sum(samples) / len(samples) < 4.4


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        ("1.5", 1.5),
        ("-4", 0.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_accepts_seconds_and_http_dates(
    header: str | None, expected: float | None
) -> None:
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert parse_retry_after(header, now) == expected


_QUOTA_FAILURE = "type.googleapis.com/google.rpc.QuotaFailure"
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


def _exhausted(message: str, *details: dict[str, object]) -> dict[str, object]:
    error: dict[str, object] = {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED"}
    if details:
        error["details"] = list(details)
    return {"error": error}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # The front end's generic text, as every 429 fault sends it: a rate limit.
        (_exhausted("Resource has been exhausted (e.g. check quota)."), e.RateLimitedError),
        # A concurrency quota named by the message or by a QuotaFailure detail: queued.
        (
            _exhausted(
                "Quota exceeded for quota metric 'Concurrent tuning jobs' and limit "
                "'Concurrent tuning jobs per project per region' of service "
                "'aiplatform.googleapis.com' for consumer 'project_number:123'."
            ),
            e.QuotaExceededError,
        ),
        (
            _exhausted(
                "Resource has been exhausted (e.g. check quota).",
                {"@type": _QUOTA_FAILURE, "violations": [{"description": "quota exhausted"}]},
            ),
            e.QuotaExceededError,
        ),
        (
            _exhausted(
                "The following quota metrics exceed quota limits: "
                "aiplatform.googleapis.com/custom_model_training_cpus"
            ),
            e.QuotaExceededError,
        ),
        # A QuotaFailure about a rate, as the Gemini API sends for requests per minute.
        (
            _exhausted(
                "You exceeded your current quota.",
                {
                    "@type": _QUOTA_FAILURE,
                    "violations": [
                        {
                            "quotaMetric": "generativelanguage.googleapis.com/generate_requests",
                            "quotaId": "GenerateRequestsPerMinutePerProjectPerModel",
                        }
                    ],
                },
            ),
            e.RateLimitedError,
        ),
        (
            _exhausted(
                "Quota exceeded for quota metric 'Tuning requests' and limit 'Tuning requests "
                "per minute per region' of service 'aiplatform.googleapis.com'."
            ),
            e.RateLimitedError,
        ),
        (
            _exhausted(
                "Concurrent tuning jobs quota exceeded.",
                {"@type": _ERROR_INFO, "reason": "RATE_LIMIT_EXCEEDED"},
            ),
            e.RateLimitedError,
        ),
        (_exhausted("rate limited"), e.RateLimitedError),
        ({"not": "an envelope"}, e.RateLimitedError),
    ],
)
def test_a_quota_refusal_is_told_from_a_rate_limit(
    body: dict[str, object], expected: type[e.RemoteError]
) -> None:
    assert e.error_class(429, "RESOURCE_EXHAUSTED", body) is expected


def test_a_quota_refusal_is_not_retried() -> None:
    assert not e.QuotaExceededError.retryable and not e.QuotaExceededError.may_have_committed
    # Only a 429 is ever a quota refusal; the body does not change other classes.
    assert e.error_class(503, "UNAVAILABLE", _exhausted("Concurrent jobs")) is e.ServerError
