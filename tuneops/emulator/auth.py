"""The credential checks of the two front ends: any token or key is accepted.

Vertex AI needs an OAuth bearer token; the Gemini API an API key (header
`x-goog-api-key` or `?key=`) or a bearer token. Texts are those Google sends;
which `details` accompany them is not recorded, so only the ErrorInfo reason is
given where it is well known.
"""

from __future__ import annotations

from collections.abc import Mapping

from tuneops.emulator.errors import ApiError
from tuneops.emulator.routing import Request

_SEE = "See https://developers.google.com/identity/sign-in/web/devconsole-project."
_WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}


def _error_info(reason: str, service: str) -> dict[str, object]:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": service},
    }


def _bearer(headers: Mapping[str, str]) -> str | None:
    """The bearer token, "" for a malformed Authorization header, None without one."""
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _api_key(request: Request) -> str | None:
    if "x-goog-api-key" in request.headers:
        return request.headers["x-goog-api-key"]
    keys = request.query.get("key")
    return keys[-1] if keys else None


def check_vertex(request: Request) -> None:
    """Vertex AI: a bearer token, else 401 UNAUTHENTICATED."""
    service = "aiplatform.googleapis.com"
    token = _bearer(request.headers)
    if token:
        return
    if token == "":
        raise ApiError(
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            f"login cookie or other valid authentication credential. {_SEE}",
            headers=_WWW_AUTHENTICATE,
        )
    if _api_key(request) is not None:
        raise ApiError(
            "UNAUTHENTICATED",
            "API keys are not supported by this API. Expected OAuth2 access token or other "
            "authentication credentials that assert a principal. "
            "See https://cloud.google.com/docs/authentication",
            details=[_error_info("CREDENTIALS_MISSING", service)],
            headers=_WWW_AUTHENTICATE,
        )
    raise ApiError(
        "UNAUTHENTICATED",
        "Request is missing required authentication credential. Expected OAuth 2 access "
        f"token, login cookie or other valid authentication credential. {_SEE}",
        details=[_error_info("CREDENTIALS_MISSING", service)],
        headers=_WWW_AUTHENTICATE,
    )


_QUOTA_PROJECT_MISSING = (
    "Your application is authenticating by using local Application Default Credentials. "
    "The generativelanguage.googleapis.com API requires a quota project, which is not set "
    "by default. To learn how to set your quota project, see "
    "https://cloud.google.com/docs/authentication/adc-troubleshooting/user-creds ."
)


def check_gemini(request: Request, require_quota_project: bool = False) -> None:
    """Gemini API: an API key or a bearer token, else 403 PERMISSION_DENIED.

    With `require_quota_project`, a bearer token stands for a user's credentials,
    which need `x-goog-user-project` to name the project billed for the call.
    """
    service = "generativelanguage.googleapis.com"
    key = _api_key(request)
    if key is not None:
        if key.strip():
            return
        # Recorded from the real service for a key it does not accept.
        raise ApiError(
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key.",
            details=[
                _error_info("API_KEY_INVALID", service),
                {
                    "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                    "locale": "en-US",
                    "message": "API key not valid. Please pass a valid API key.",
                },
            ],
        )
    if _bearer(request.headers):
        if require_quota_project and not request.headers.get("x-goog-user-project", "").strip():
            raise ApiError("PERMISSION_DENIED", _QUOTA_PROJECT_MISSING)
        return
    raise ApiError(
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    )
