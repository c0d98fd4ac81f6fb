"""Credentials: where they come from, how they travel, when they are refreshed.

Three kinds, chosen in this order by `backends/construction.py`:

- an API key (Gemini only), sent as `x-goog-api-key` and never in a URL;
- a static bearer token (`TUNEOPS_ACCESS_TOKEN`), for CI systems that mint one;
- Application Default Credentials from google-auth, refreshed shortly before
  they expire (by our injectable clock, not google-auth's) and once after a 401.

A storage emulator named by `STORAGE_EMULATOR_HOST` gets none (`Anonymous`).

Every secret is registered with `redact` as soon as it is known.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import google.auth
import google.auth.exceptions
import google.auth.transport.requests

from tuneops.backends.transport.clock import Clock
from tuneops.backends.transport.errors import CredentialsError, TransportError
from tuneops.backends.transport.redact import redact, register_secret

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
GENERATIVE_LANGUAGE_TUNING = "https://www.googleapis.com/auth/generative-language.tuning"

# Refresh this long before the token expires, so a request never starts with a
# token that dies in flight (google-auth itself uses 3 min 45 s).
DEFAULT_REFRESH_MARGIN = 300.0


class AuthProvider(Protocol):
    """Adds credentials to requests and renews them when the service refuses them."""

    @property
    def description(self) -> str:
        """Where the credential came from, for messages (never the secret)."""
        ...

    def headers(self) -> Mapping[str, str]:
        """The headers that authenticate the next request."""
        ...

    def refresh_after_unauthorized(self, rejected: Mapping[str, str]) -> bool:
        """The headers `rejected` got a 401; renews them and says whether to retry."""
        ...


class ApiKey:
    """A Gemini API key, sent only in the `x-goog-api-key` header."""

    def __init__(self, key: str, source: str) -> None:
        register_secret(key)
        self._key = key
        self.description = f"API key from {source}"

    def headers(self) -> Mapping[str, str]:
        """`x-goog-api-key`."""
        return {"x-goog-api-key": self._key}

    def refresh_after_unauthorized(self, rejected: Mapping[str, str]) -> bool:
        """A key cannot be renewed."""
        return False

    def __repr__(self) -> str:
        return f"ApiKey({self.description!r})"


QUOTA_PROJECT_HEADER = "x-goog-user-project"


class StaticToken:
    """A bearer token minted elsewhere; it cannot be renewed.

    `quota_project` is sent as `x-goog-user-project`: a user's token bills the
    call to that project only when told so (the Gemini API refuses it without).
    """

    def __init__(self, token: str, source: str, quota_project: str | None = None) -> None:
        register_secret(token)
        self._token = token
        self._quota_project = quota_project
        self.description = f"access token from {source}"

    def headers(self) -> Mapping[str, str]:
        """`Authorization: Bearer …`, and the quota project when there is one."""
        headers = {"Authorization": f"Bearer {self._token}"}
        if self._quota_project:
            headers[QUOTA_PROJECT_HEADER] = self._quota_project
        return headers

    def refresh_after_unauthorized(self, rejected: Mapping[str, str]) -> bool:
        """A static token cannot be renewed."""
        return False

    def __repr__(self) -> str:
        return f"StaticToken({self.description!r})"


class GoogleCredentials:
    """google-auth credentials, refreshed before expiry and once per rejected token.

    Thread-safe: one refresh at a time, and a 401 on a token that another thread
    has already replaced does not refresh again.
    """

    def __init__(
        self,
        credentials: Any,
        clock: Clock,
        source: str = "Application Default Credentials",
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
        quota_project: str | None = None,
    ) -> None:
        self._credentials = credentials
        self._quota_project = quota_project
        self._clock = clock
        self._margin = refresh_margin
        self._lock = threading.Lock()
        self._request: Any = None
        self.description = source
        register_secret(getattr(credentials, "token", None))

    def headers(self) -> Mapping[str, str]:
        """`Authorization: Bearer …`, refreshing first when the token is due."""
        with self._lock:
            if self._due():
                self._refresh()
            return self._current_headers()

    def refresh_after_unauthorized(self, rejected: Mapping[str, str]) -> bool:
        """Refreshes unless the rejected token was already replaced; always retry once."""
        with self._lock:
            if dict(self._current_headers()) == dict(rejected):
                self._refresh()
        return True

    def _current_headers(self) -> Mapping[str, str]:
        headers = {"Authorization": f"Bearer {self._credentials.token}"}
        quota_project = self._quota_project or getattr(self._credentials, "quota_project_id", None)
        if isinstance(quota_project, str) and quota_project:
            # User credentials bill the API to this project only when told so.
            headers[QUOTA_PROJECT_HEADER] = quota_project
        return headers

    def _due(self) -> bool:
        if not getattr(self._credentials, "token", None):
            return True
        expiry = getattr(self._credentials, "expiry", None)
        if not isinstance(expiry, dt.datetime):
            return False  # no expiry: valid until the service says otherwise
        # google-auth keeps expiry as a naive UTC datetime.
        if expiry.tzinfo is None:
            expiry = expiry.replace(tzinfo=dt.timezone.utc)
        return expiry.timestamp() - self._clock.time() <= self._margin

    def _refresh(self) -> None:
        if self._request is None:
            self._request = google.auth.transport.requests.Request()
        try:
            self._credentials.refresh(self._request)
        except google.auth.exceptions.RefreshError as exc:
            raise CredentialsError(
                f"could not refresh the {self.description}: {redact(str(exc))}; "
                "run `gcloud auth application-default login` or set TUNEOPS_ACCESS_TOKEN"
            ) from None
        except google.auth.exceptions.TransportError as exc:
            raise TransportError(f"token refresh failed: {redact(str(exc))}") from None
        register_secret(self._credentials.token)

    def __repr__(self) -> str:
        return f"GoogleCredentials({self.description!r})"


def application_default(scopes: Sequence[str], how_to: str) -> Any:
    """ADC with `scopes`, or a `CredentialsError` that says how to provide a credential."""
    try:
        credentials, _project = google.auth.default(scopes=list(scopes))
    except google.auth.exceptions.DefaultCredentialsError as exc:
        raise CredentialsError(
            f"no credentials found ({redact(str(exc).splitlines()[0])}); {how_to}"
        ) from None
    return credentials


class Anonymous:
    """No credential: what Google's clients send to a storage emulator."""

    description = "no credential (storage emulator)"

    def headers(self) -> Mapping[str, str]:
        """Nothing."""
        return {}

    def refresh_after_unauthorized(self, rejected: Mapping[str, str]) -> bool:
        """Nothing to renew."""
        return False
