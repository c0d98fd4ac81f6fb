"""The Google error envelope and the google.rpc status codes behind it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

JsonObject = dict[str, Any]

# google.rpc.Code name -> (rpc code number, HTTP status), from google/rpc/code.proto.
RPC_CODES: Mapping[str, tuple[int, int]] = {
    "CANCELLED": (1, 499),
    "UNKNOWN": (2, 500),
    "INVALID_ARGUMENT": (3, 400),
    "DEADLINE_EXCEEDED": (4, 504),
    "NOT_FOUND": (5, 404),
    "ALREADY_EXISTS": (6, 409),
    "PERMISSION_DENIED": (7, 403),
    "RESOURCE_EXHAUSTED": (8, 429),
    "FAILED_PRECONDITION": (9, 400),
    "ABORTED": (10, 409),
    "OUT_OF_RANGE": (11, 400),
    "UNIMPLEMENTED": (12, 501),
    "INTERNAL": (13, 500),
    "UNAVAILABLE": (14, 503),
    "DATA_LOSS": (15, 500),
    "UNAUTHENTICATED": (16, 401),
}

# When only an HTTP status is known (injected faults), the status name Google uses for it.
_STATUS_FOR_HTTP: Mapping[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

# The texts the real front ends send with these statuses when nothing more specific is said.
_DEFAULT_MESSAGES: Mapping[str, str] = {
    "RESOURCE_EXHAUSTED": "Resource has been exhausted (e.g. check quota).",
    "INTERNAL": "Internal error encountered.",
    "UNAVAILABLE": "The service is currently unavailable.",
    "DEADLINE_EXCEEDED": "Deadline exceeded.",
    "UNKNOWN": "Unknown error.",
}


class ApiError(Exception):
    """A failed call, rendered as `{"error": {"code", "message", "status"[, "details"]}}`."""

    def __init__(
        self,
        status: str,
        message: str,
        *,
        details: Sequence[JsonObject] = (),
        http_status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if status not in RPC_CODES:
            raise ValueError(f"unknown google.rpc status {status!r}")
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = tuple(details)
        self.http_status = http_status if http_status is not None else RPC_CODES[status][1]
        self.headers: Mapping[str, str] = dict(headers or {})

    def body(self) -> JsonObject:
        """The JSON error envelope."""
        error: JsonObject = {"code": self.http_status, "message": self.message}
        error["status"] = self.status
        if self.details:
            error["details"] = list(self.details)
        return {"error": error}


def error_for_http_status(
    http_status: int, message: str | None = None, headers: Mapping[str, str] | None = None
) -> ApiError:
    """An error with the status name and default text Google pairs with an HTTP code."""
    status = _STATUS_FOR_HTTP.get(http_status, "UNKNOWN")
    text = message or _DEFAULT_MESSAGES.get(status, f"HTTP {http_status}.")
    return ApiError(status, text, http_status=http_status, headers=headers)


def invalid(message: str, *, details: Sequence[JsonObject] = ()) -> ApiError:
    """A 400 INVALID_ARGUMENT."""
    return ApiError("INVALID_ARGUMENT", message, details=details)


def not_found(message: str) -> ApiError:
    """A 404 NOT_FOUND."""
    return ApiError("NOT_FOUND", message)


def permission_denied(message: str) -> ApiError:
    """A 403 PERMISSION_DENIED."""
    return ApiError("PERMISSION_DENIED", message)


def failed_precondition(message: str) -> ApiError:
    """A 400 FAILED_PRECONDITION."""
    return ApiError("FAILED_PRECONDITION", message)


def url_not_found(path: str) -> ApiError:
    """What Google's front end answers for a path or method no API serves."""
    return ApiError("NOT_FOUND", f"The requested URL {path} was not found on this server.")


def bad_request_detail(field: str, description: str) -> JsonObject:
    """A google.rpc.BadRequest detail, as proto JSON parsing errors carry."""
    return {
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [{"field": field, "description": description}],
    }
