"""The typed error tree of the backends, mirroring HTTP.

`RemoteError` → `ClientError` (4xx, one class per google.rpc status that matters
to the planner) | `ServerError` (5xx) | `TransportError` (no HTTP answer at all).
Two class attributes carry the retry decision as data, so that the transport
never needs an `if status == ...` of its own:

- `retryable`: trying the same request again may succeed;
- `may_have_committed`: the server may have acted on the request although we
  got no success answer (decides whether a create must be checked before it is
  tried again).

Every text is passed through `redact` when the error is built, so no token or key
can leave in a message, a repr or a traceback. What a service wrote is cut to
one short line with its control characters escaped before it gets here
(`untrusted.one_line`, in the transport).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from tuneops.backends.transport.redact import redact, redact_url
from tuneops.errors import TuneopsError


class CredentialsError(TuneopsError):
    """No usable credential was found; raised before any request is sent."""


class UnsupportedOperationError(TuneopsError):
    """The backend cannot do what was asked (see its `Capabilities`)."""


class IdentityError(TuneopsError):
    """A stack or job name cannot be written as a remote label or marker."""


class InvalidRequestError(TuneopsError):
    """What was asked of a backend cannot be sent: a malformed resource name, a spec
    for another backend, a job without a place. Raised before any request."""


class RemoteError(TuneopsError):
    """A call to a remote service failed.

    Carries the HTTP status (None without an answer), the google.rpc status name
    (`NOT_FOUND`, …), the service's own message, the method and the redacted URL,
    the attempt it failed on and the `Retry-After` the server asked for, if any.
    """

    retryable: ClassVar[bool] = False
    may_have_committed: ClassVar[bool] = False

    def __init__(
        self,
        service_message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        http_status: int | None = None,
        rpc_status: str | None = None,
        attempt: int = 1,
        retry_after: float | None = None,
    ) -> None:
        self.service_message = redact(service_message)
        self.method = method
        self.url = redact_url(url) if url is not None else None
        self.http_status = http_status
        self.rpc_status = rpc_status
        self.attempt = attempt
        self.retry_after = retry_after
        self.subject: str | None = None
        super().__init__(self._render())

    def about(self, subject: str) -> RemoteError:
        """This error, its message led by what the call was about (`gs://bucket/object`).

        A URL quotes an object name beyond recognition (`o/team%20a%2Ftrain.jsonl`);
        the name a user wrote is what they look for in the message.
        """
        self.subject = redact(subject)
        self.args = (self._render(),)
        return self

    def _render(self) -> str:
        where = " ".join(part for part in (self.method, self.url) if part)
        status = " ".join(
            part
            for part in (
                str(self.http_status) if self.http_status is not None else None,
                self.rpc_status,
            )
            if part
        )
        head = f"{where}: " if where else ""
        if self.subject:
            head = f"{self.subject}: {head}"
        middle = f"{status}: " if status else ""
        return f"{head}{middle}{self.service_message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ClientError(RemoteError):
    """The service refused the request (4xx): the same request will fail again."""


class InvalidArgumentError(ClientError):
    """400 INVALID_ARGUMENT / OUT_OF_RANGE: the request body or a parameter is wrong."""


class FailedPreconditionError(ClientError):
    """400 FAILED_PRECONDITION: not possible in the resource's current state."""


class UnauthenticatedError(ClientError):
    """401: the credential is missing, invalid or expired (and a refresh did not help)."""


class PermissionDeniedError(ClientError):
    """403: the caller may not do this (IAM, disabled API, wrong project)."""


class NotFoundError(ClientError):
    """404: the resource does not exist."""


class AlreadyExistsError(ClientError):
    """409 ALREADY_EXISTS: a resource with the requested id exists."""


class AbortedError(ClientError):
    """409 ABORTED: a concurrent change conflicted with this one."""


class RequestTimeoutError(ClientError):
    """408: the server gave up waiting for the request before acting on it."""

    retryable = True


class RateLimitedError(ClientError):
    """429 RESOURCE_EXHAUSTED: rejected before it was acted on; try again later."""

    retryable = True


class QuotaExceededError(ClientError):
    """429 RESOURCE_EXHAUSTED for a quota, not a rate: e.g. the project runs as many
    tuning jobs as it may. Seconds of back-off do not free it, a job ending does, so
    it is not retried: apply records the create as queued (see `quota_refusal`)."""


class ServerError(RemoteError):
    """5xx: the service failed; it may or may not have acted on the request."""

    retryable = True
    may_have_committed = True


class NotImplementedServerError(ServerError):
    """501 UNIMPLEMENTED: the method does not exist on this service; retrying is futile."""

    retryable = False
    may_have_committed = False


class TransportError(RemoteError):
    """No HTTP answer: the connection failed, was dropped, or timed out."""

    retryable = True
    may_have_committed = True


class PhaseDeadlineError(TransportError):
    """The deadline of the command's phase passed: the call was not made, or was cut.

    Not retried: the phase has no time left for it.
    """

    retryable = False


class ConnectError(TransportError):
    """The connection could not be opened, so the request was never sent."""

    may_have_committed = False


class ReadTimeoutError(TransportError):
    """The request was sent but no answer came in time."""


class ConnectionDroppedError(TransportError):
    """The connection closed before a complete answer arrived."""


class InvalidResponseError(RemoteError):
    """A success status with a body that is not the JSON the API documents."""

    retryable = True
    may_have_committed = True


class JobNotReadyError(TuneopsError):
    """The job has no tuned model or endpoint yet (it has not succeeded)."""


class CreateOutcomeUnknownError(RemoteError):
    """A create got no answer and the check for the job it may have made failed too.

    The job may exist; it carries the attempt's nonce label, and the next plan
    finds it by its identity labels. Not retryable: retrying blind could pay twice.
    """


class CreateUntrustedError(CreateOutcomeUnknownError):
    """A create was answered, but the job it names does not read back as this attempt's.

    Nothing is recorded under the spec: the job that was made, if any, carries
    the attempt's labels, and the next plan finds it (and adopts it) by them.
    """


# HTTP status → class, for answers without a google.rpc status we know.
_BY_HTTP: Mapping[int, type[RemoteError]] = {
    400: InvalidArgumentError,
    401: UnauthenticatedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    409: AbortedError,
    429: RateLimitedError,
    501: NotImplementedServerError,
}

# google.rpc status → class; wins over the HTTP status when both are known, since
# Google maps several codes onto 400 and 409.
_BY_RPC: Mapping[str, type[RemoteError]] = {
    "INVALID_ARGUMENT": InvalidArgumentError,
    "OUT_OF_RANGE": InvalidArgumentError,
    "FAILED_PRECONDITION": FailedPreconditionError,
    "UNAUTHENTICATED": UnauthenticatedError,
    "PERMISSION_DENIED": PermissionDeniedError,
    "NOT_FOUND": NotFoundError,
    "ALREADY_EXISTS": AlreadyExistsError,
    "ABORTED": AbortedError,
    "RESOURCE_EXHAUSTED": RateLimitedError,
    "UNIMPLEMENTED": NotImplementedServerError,
}


def error_class(http_status: int, rpc_status: str | None, body: Any = None) -> type[RemoteError]:
    """The error class for an HTTP error answer (`body`: its parsed JSON, if any)."""
    cls = _BY_RPC.get(rpc_status) if rpc_status else None
    # A google.rpc name on the wrong status class (e.g. NOT_FOUND on a 5xx) is not
    # trusted: the HTTP class decides whether to retry.
    if cls is None or issubclass(cls, ClientError) != (400 <= http_status < 500):
        cls = _BY_HTTP.get(http_status) or (
            ClientError if 400 <= http_status < 500 else ServerError
        )
    if cls is RateLimitedError and quota_refusal(body):
        return QuotaExceededError
    return cls


# What names a quota that a job ending frees, and what names a rate (docs/backends.md).
_QUOTA_WORDS = re.compile(r"concurrent|exceed quota limits", re.IGNORECASE)
_RATE_WORDS = re.compile(
    r"(?<![a-z])rate(?![a-z])|rate_limit|per[\s_-]*(second|minute|hour|day)", re.IGNORECASE
)
_QUOTA_FAILURE = "type.googleapis.com/google.rpc.QuotaFailure"


def quota_refusal(body: Any) -> bool:
    """A RESOURCE_EXHAUSTED answer that refuses for a quota rather than a rate.

    Vertex answers 429 RESOURCE_EXHAUSTED for both. The rule: a quota refusal
    carries a `google.rpc.QuotaFailure` detail or a message that names concurrent
    jobs or exceeded quota limits, and nothing in the message or the details
    (violations, ErrorInfo reason and metadata) names a rate (`rate`,
    `RATE_LIMIT_EXCEEDED`, per second/minute/hour/day). Anything else is a rate
    limit, retried as before: taking a rate limit for a quota would leave work
    queued for no reason, while the opposite only retries until the deadline.
    """
    if not isinstance(body, Mapping):
        return False
    error = body.get("error", body)
    if not isinstance(error, Mapping):
        return False
    message = error.get("message")
    texts = [message] if isinstance(message, str) else []
    details = error.get("details")
    quota_failure = False
    for detail in details if isinstance(details, list) else ():
        if not isinstance(detail, Mapping):
            continue
        quota_failure = quota_failure or detail.get("@type") == _QUOTA_FAILURE
        texts.extend(_strings(detail, depth=3))
    if any(_RATE_WORDS.search(text) for text in texts):
        return False
    return quota_failure or any(_QUOTA_WORDS.search(text) for text in texts)


def _strings(value: Any, depth: int) -> list[str]:
    """The string values inside a detail (bounded: it comes from the network)."""
    if isinstance(value, str):
        return [value[:1000]]
    if depth <= 0:
        return []
    if isinstance(value, Mapping):
        return [
            s
            for key, item in list(value.items())[:50]
            if key != "@type"
            for s in _strings(item, depth - 1)
        ]
    if isinstance(value, list):
        return [s for item in value[:50] for s in _strings(item, depth - 1)]
    return []


def parse_error_body(body: Any) -> tuple[str | None, str | None]:
    """(google.rpc status, message) from a Google error envelope, or (None, None)."""
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping):
            status = inner.get("status")
            message = inner.get("message")
            return (
                status if isinstance(status, str) and _RPC_NAME.fullmatch(status) else None,
                message if isinstance(message, str) else None,
            )
    return None, None


# google.rpc code names; anything else in `status` is not shown or trusted.
_RPC_NAME = re.compile(r"[A-Z][A-Z_]{0,39}")
