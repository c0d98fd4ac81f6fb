"""Construction: each client built from the settings it needs, the environment and options.

The one place a service client meets a transport and a credential. It never
sees the project configuration: the runtime reads what tuneops.yaml says about
a service into `ClientSettings` (runtime/session.py) and asks here once per
client.

Endpoints, first match wins: `TUNEOPS_VERTEX_ENDPOINT` / `TUNEOPS_GEMINI_ENDPOINT`
(or `STORAGE_EMULATOR_HOST`, the variable Google's storage clients follow), the
settings' endpoint, the public service. Credentials are resolved here, before any
request, so a missing one is reported up front with the ways to provide it.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tuneops.backends.gemini import client as gemini
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.shared.wire import ListingBounds
from tuneops.backends.storage import client as storage
from tuneops.backends.transport.auth import (
    CLOUD_PLATFORM,
    GENERATIVE_LANGUAGE_TUNING,
    Anonymous,
    ApiKey,
    AuthProvider,
    GoogleCredentials,
    StaticToken,
    application_default,
)
from tuneops.backends.transport.clock import Clock, SystemClock
from tuneops.backends.transport.errors import CredentialsError
from tuneops.backends.transport.http import Transport, TransportOptions
from tuneops.backends.transport.local_endpoint import EmulatorNotRunningError, nothing_listens
from tuneops.backends.transport.pacing import RateLimit
from tuneops.backends.transport.redact import register_secret
from tuneops.backends.vertex import client as vertex
from tuneops.errors import ConfigError
from tuneops.project.file import EMBEDDED
from tuneops.specs.kinds import BackendKind

log = logging.getLogger("tuneops.backends")

ACCESS_TOKEN_ENV = "TUNEOPS_ACCESS_TOKEN"
QUOTA_PROJECT_ENV = "GOOGLE_CLOUD_QUOTA_PROJECT"  # google-auth's own variable
API_KEY_ENVS = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
STORAGE_EMULATOR_ENV = "STORAGE_EMULATOR_HOST"
ENDPOINT_ENVS: Mapping[BackendKind, str] = {
    BackendKind.VERTEX: "TUNEOPS_VERTEX_ENDPOINT",
    BackendKind.GEMINI: "TUNEOPS_GEMINI_ENDPOINT",
}
DEFAULT_ENDPOINTS: Mapping[BackendKind, str] = {
    BackendKind.VERTEX: vertex.DEFAULT_ENDPOINT,
    BackendKind.GEMINI: gemini.DEFAULT_ENDPOINT,
}

_ADC_HINT = "run `gcloud auth application-default login`"
_HOW_TO = {
    BackendKind.VERTEX: (
        f"to call Vertex AI, {_ADC_HINT}, set GOOGLE_APPLICATION_CREDENTIALS to a "
        f"service-account or workload-identity file, or set {ACCESS_TOKEN_ENV}"
    ),
    BackendKind.GEMINI: (
        "to call the Gemini API, set GEMINI_API_KEY (or GOOGLE_API_KEY), "
        f"or set {ACCESS_TOKEN_ENV}, or {_ADC_HINT}"
    ),
}


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """What tuneops.yaml says about one service, as its client needs it.

    `endpoint` None is the public service; `embedded` is refused here (the
    runtime starts the embedded emulator and passes its URL as `endpoint=`).
    `quota_project` is the project billed for calls made with OAuth credentials.
    """

    endpoint: str | None = None
    quota_project: str | None = None


@dataclass(frozen=True, slots=True)
class BackendOptions:
    """Tuning knobs of a backend: transport, page size and rate limits.

    A limit left None is the backend's own: each service has its own quotas.
    """

    transport: TransportOptions = field(default_factory=TransportOptions)
    page_size: int | None = None  # None: the backend's largest page
    # A listing beyond these bounds is an error, not a hang.
    listing: ListingBounds = field(default_factory=ListingBounds)
    requests_limit: RateLimit | None = None
    submissions_limit: RateLimit | None = None


def resolve_endpoint(kind: BackendKind, configured: str | None, env: Mapping[str, str]) -> str:
    """The base URL for `kind`: environment, then `configured`, then the public service.

    `embedded` is refused here: the caller must start the embedded emulator and
    pass its URL as `endpoint`.
    """
    value = env.get(ENDPOINT_ENVS[kind]) or configured
    if value is None:
        return DEFAULT_ENDPOINTS[kind]
    if value == EMBEDDED:
        raise ConfigError(
            f"the {kind.value} endpoint is {EMBEDDED!r}: start the embedded emulator "
            "and pass its URL to the backend"
        )
    return _check_url(value, kind)


def resolve_quota_project(configured: str | None, env: Mapping[str, str]) -> str | None:
    """The project billed for OAuth calls: `configured`, then GOOGLE_CLOUD_QUOTA_PROJECT.

    None leaves it to the credentials (the quota project ADC records, if any).
    The project file wins because it is specific to these specs, while the
    variable is often set once for every tool in a shell.
    """
    return configured or env.get(QUOTA_PROJECT_ENV) or None


def build_auth(
    kind: BackendKind,
    env: Mapping[str, str],
    clock: Clock,
    *,
    access_token: str | None = None,
    api_key: str | None = None,
    credentials: Any = None,
    quota_project: str | None = None,
) -> AuthProvider:
    """The credential for `kind`; explicit arguments win over the environment, ADC comes last.

    `quota_project` goes with every OAuth credential (never with an API key, which
    belongs to a project already). Raises `CredentialsError` (with how to provide
    one) when there is none.
    """
    if kind is BackendKind.GEMINI and api_key:
        return ApiKey(_credential(api_key, "the API key given"), "the caller")
    if access_token:
        token = _credential(access_token, "the access token given")
        return StaticToken(token, "the caller", quota_project)
    if credentials is not None:
        return GoogleCredentials(
            credentials, clock, source="the caller's credentials", quota_project=quota_project
        )
    if kind is BackendKind.GEMINI:
        for name in API_KEY_ENVS:
            if env.get(name):
                return ApiKey(_credential(env[name], name), name)
    if env.get(ACCESS_TOKEN_ENV):
        token = _credential(env[ACCESS_TOKEN_ENV], ACCESS_TOKEN_ENV)
        return StaticToken(token, ACCESS_TOKEN_ENV, quota_project)
    scopes = [CLOUD_PLATFORM]
    if kind is BackendKind.GEMINI:
        scopes.append(GENERATIVE_LANGUAGE_TUNING)
    adc = application_default(scopes, _HOW_TO[kind])
    return GoogleCredentials(adc, clock, quota_project=quota_project)


def _credential(value: str, source: str) -> str:
    """A key or token as read, checked: outer whitespace stripped (with a warning),
    anything else that cannot travel in a header refused. Never shows the value."""
    register_secret(value)  # the raw form too: it may surface in some library's message
    stripped = value.strip()
    if not stripped or any(not char.isprintable() or char.isspace() for char in stripped):
        raise CredentialsError(
            f"{source} contains whitespace or control characters inside it, so it cannot be "
            "a key or token; set it again without them"
        )
    if stripped != value:
        # A trailing newline is the usual copy-paste accident (`echo key > file`).
        log.warning("%s has leading or trailing whitespace; using it without", source)
    register_secret(stripped)
    return stripped


def build_backend(
    kind: BackendKind,
    settings: ClientSettings | None = None,
    *,
    env: Mapping[str, str] | None = None,
    endpoint: str | None = None,
    access_token: str | None = None,
    api_key: str | None = None,
    credentials: Any = None,
    options: BackendOptions | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> Backend:
    """A ready backend of `kind`, reached as `settings` say (the public service by default).

    `env` defaults to `os.environ`; `endpoint` overrides every other source;
    `access_token`, `api_key` and `credentials` (a google-auth credentials
    object) override the environment; `clock` and `rng` make timing testable.
    """
    env = os.environ if env is None else env
    settings = settings or ClientSettings()
    clock = clock or SystemClock()
    options = options or BackendOptions()
    base = (
        _check_url(endpoint, kind) if endpoint else resolve_endpoint(kind, settings.endpoint, env)
    )
    try:
        auth = build_auth(
            kind,
            env,
            clock,
            access_token=access_token,
            api_key=api_key,
            credentials=credentials,
            quota_project=resolve_quota_project(settings.quota_project, env),
        )
    except CredentialsError:
        # A stopped local emulator is the likelier mistake, and `gcloud auth`
        # would not fix it: look (one loopback connect) before blaming credentials.
        if nothing_listens(base):
            raise EmulatorNotRunningError(base) from None
        raise
    transport = Transport(auth, clock, options.transport, rng)
    if kind is BackendKind.VERTEX:
        return vertex.VertexBackend(
            transport,
            clock,
            endpoint=base,
            page_size=options.page_size or vertex.PAGE_SIZE,
            listing=options.listing,
            requests_limit=options.requests_limit or vertex.VERTEX_REQUESTS,
            submissions_limit=options.submissions_limit or vertex.VERTEX_SUBMISSIONS,
        )
    return gemini.GeminiBackend(
        transport,
        clock,
        endpoint=base,
        page_size=options.page_size or gemini.PAGE_SIZE,
        listing=options.listing,
        requests_limit=options.requests_limit or gemini.GEMINI_REQUESTS,
        submissions_limit=options.submissions_limit or gemini.GEMINI_SUBMISSIONS,
    )


def _check_url(value: str, kind: BackendKind) -> str:
    # `{location}` is the one placeholder (Vertex AI, filled per call); any other
    # brace would make the URL template fail at the first request.
    rest = value.replace("{location}", "") if kind is BackendKind.VERTEX else value
    if "{" in rest or "}" in rest:
        allowed = (
            "{location} is the only placeholder"
            if kind is BackendKind.VERTEX
            else ("it takes no placeholders")
        )
        raise ConfigError(f"the {kind.value} endpoint {value!r} has a brace: {allowed}")
    parts = urlsplit(value.replace("{location}", "location"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"the {kind.value} endpoint {value!r} is not an http(s) URL")
    if parts.query or parts.fragment or parts.username or parts.password:
        # Credentials must travel in headers only, never in an endpoint URL.
        raise ConfigError(
            f"the {kind.value} endpoint must be a plain base URL without query, "
            "fragment or user info"
        )
    return value.rstrip("/")


def resolve_storage_endpoint(configured: str | None, env: Mapping[str, str]) -> tuple[str, bool]:
    """(base URL, whether it is an emulator named by STORAGE_EMULATOR_HOST)."""
    emulator = env.get(STORAGE_EMULATOR_ENV)
    if emulator:
        url = emulator if "://" in emulator else f"http://{emulator}"
        return _check_storage_url(url), True
    return _check_storage_url(configured or storage.DEFAULT_ENDPOINT), False


def _check_storage_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"the storage endpoint {url!r} is not an http(s) URL")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            "the storage endpoint must be a plain base URL without query, fragment or user info"
        )
    return url.rstrip("/")


def build_storage_client(
    settings: ClientSettings | None,
    env: Mapping[str, str],
    *,
    endpoint: str | None = None,
    access_token: str | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    options: TransportOptions | None = None,
) -> storage.StorageClient:
    """A Cloud Storage client for the endpoint `settings` name (see the module docstring).

    Like Google's clients, nothing is sent to an emulator host named by
    `STORAGE_EMULATOR_HOST` but the request itself: no credential goes there.

    `endpoint` and `access_token` override the rest (the embedded emulator);
    otherwise the Vertex AI credential is used, since the data belongs to the
    jobs, and none at all for a `STORAGE_EMULATOR_HOST`. `clock` and `rng` make
    the retries testable; `options` are the transport's (the retry policy of
    every other call by default: 120 s, like Google's own storage client).
    """
    clock = clock or SystemClock()
    auth: AuthProvider
    if endpoint is not None:
        base = _check_storage_url(endpoint)
        auth = build_auth(BackendKind.VERTEX, env, clock, access_token=access_token)
    else:
        configured = settings.endpoint if settings is not None else None
        base, emulator = resolve_storage_endpoint(configured, env)
        auth = Anonymous() if emulator else build_auth(BackendKind.VERTEX, env, clock)
    return storage.StorageClient(Transport(auth, clock, options, rng), base)
