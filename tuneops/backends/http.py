"""The transport: one pooled `requests.Session`, timeouts, retries, pacing, errors.

Every call goes through `Transport.request`, which

1. waits for the rate limiters,
2. sends the request with connect and read timeouts and the auth headers,
   and reads the answer within a total deadline and a size limit,
3. turns the answer (or its absence) into JSON or a typed `RemoteError`,
4. retries when the error class says it is retryable and the call is idempotent
   (or the caller supplied a `check` that makes a retry safe), sleeping the
   server's `Retry-After` or an exponential backoff with full jitter, bounded by
   attempts and a deadline,
5. renews the credential and retries once after a 401.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from tuneops import __version__
from tuneops.backends.answers import (
    AnswerTooLargeError,
    AnswerTooSlowError,
    fields_from_head,
    parse_json,
    parse_retry_after,
    read_answer,
    server_text,
)
from tuneops.backends.auth import AuthProvider
from tuneops.backends.clock import Clock
from tuneops.backends.errors import (
    InvalidResponseError,
    PhaseDeadlineError,
    RateLimitedError,
    ReadTimeoutError,
    RemoteError,
    TransportError,
    UnauthenticatedError,
    error_class,
    parse_error_body,
)
from tuneops.backends.no_answer import transport_error
from tuneops.backends.phase import phase_remaining
from tuneops.backends.ratelimit import RateLimiter, answered, throttled
from tuneops.backends.redact import redact_url
from tuneops.backends.watchdog import AttemptGuard, GuardedAdapter, attempt_deadline

log = logging.getLogger("tuneops.backends")

JsonObject = dict[str, Any]
# Called before a retry of a non-idempotent call whose failed attempt may have
# been acted on; returns the result that attempt produced, or None to retry.
Check = Callable[[RemoteError], "JsonObject | None"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry one call.

    Retry `n` (1-based) sleeps a uniform random time in
    `[0, min(max_backoff, initial_backoff * multiplier ** (n - 1))]` ("full
    jitter"), or exactly the server's `Retry-After`, and never past `deadline`
    seconds after the first attempt started, not counting time spent waiting for
    the client's own pacer. A 429 (the service did nothing) does not use up one
    of `max_attempts`: only the deadline bounds those.
    """

    max_attempts: int = 6
    deadline: float = 120.0
    initial_backoff: float = 1.0
    max_backoff: float = 30.0
    multiplier: float = 2.0

    def backoff_cap(self, retry: int) -> float:
        """The upper bound of the jittered sleep before retry number `retry`."""
        return min(self.max_backoff, self.initial_backoff * self.multiplier ** (retry - 1))

    def backoff(self, retry: int, rng: random.Random) -> float:
        """A full-jitter sleep before retry number `retry`."""
        return rng.uniform(0.0, self.backoff_cap(retry))


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to open a connection, to wait for each read, and for a whole attempt.

    `total` bounds one attempt from connecting to the last byte of the answer,
    status line and headers included: a server that drips one byte at a time
    never trips the per-read timeout, so a watchdog cuts the connection.
    """

    connect: float = 10.0
    read: float = 60.0
    total: float = 120.0


@dataclass(frozen=True, slots=True)
class TransportOptions:
    """Everything about the transport that a caller may want to change."""

    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    pool_size: int = 16
    user_agent: str = f"tuneops/{__version__}"


class Transport:
    """Sends JSON requests for one backend; thread-safe."""

    def __init__(
        self,
        auth: AuthProvider,
        clock: Clock,
        options: TransportOptions | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.options = options or TransportOptions()
        self._auth = auth
        self._clock = clock
        self._rng = rng or random.Random()
        self._session = requests.Session()
        # Our own retry loop decides; urllib3 must not retry behind its back.
        adapter = GuardedAdapter(
            pool_connections=4, pool_maxsize=self.options.pool_size, max_retries=0
        )
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    @property
    def clock(self) -> Clock:
        """The clock deadlines are measured on."""
        return self._clock

    @property
    def auth(self) -> AuthProvider:
        """The credential this transport sends."""
        return self._auth

    def close(self) -> None:
        """Closes the pooled connections."""
        self._session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: JsonObject | None = None,
        idempotent: bool,
        limiters: Sequence[RateLimiter] = (),
        check: Check | None = None,
    ) -> JsonObject:
        """Sends one call, with retries; returns the JSON object of the answer.

        A non-idempotent call is retried only when `check` is given; it runs
        before each retry that follows an attempt which may have been acted on.
        """
        policy = self.options.retry
        deadline = self._clock.monotonic() + policy.deadline
        shown = _with_query(url, params)
        logged = redact_url(shown)
        attempt = 0
        refused = 0  # attempts answered 429: they do not count against max_attempts
        renewed = False
        while True:
            attempt += 1
            for limiter in limiters:
                deadline += limiter.acquire()  # pacing is not retrying
            left = phase_remaining()
            if left is not None and left <= 0:
                raise PhaseDeadlineError(
                    "the command phase passed its deadline before this call",
                    method=method,
                    url=shown,
                    attempt=attempt,
                )
            sent_headers: Mapping[str, str] = {}
            try:
                sent_headers = self._auth.headers()
                answer = self._send(method, url, shown, params, body, sent_headers, attempt)
                answered(limiters)
                return answer
            except UnauthenticatedError:
                # A 401 says nothing happened; renew the credential and try once more.
                if renewed or not self._auth.refresh_after_unauthorized(sent_headers):
                    raise
                renewed = True
                attempt -= 1
                log.info("%s %s: 401, retrying once with a renewed credential", method, logged)
                continue
            except RemoteError as error:
                delay = error.retry_after
                if delay is None:
                    delay = policy.backoff(attempt, self._rng) if error.retryable else 0.0
                if isinstance(error, RateLimitedError):
                    # The quota is shared: slow every caller down; pause them all only as
                    # long as the service said (not this call's own jittered backoff), and
                    # never past this call's deadline on one server's say-so.
                    pause = min(error.retry_after or 0.0, deadline - self._clock.monotonic())
                    throttled(limiters, max(0.0, pause))
                    refused += 1
                else:
                    answered(limiters)
                if not error.retryable or (not idempotent and check is None):
                    raise
                counted = attempt - refused
                left = phase_remaining()
                if (
                    counted >= policy.max_attempts
                    or self._clock.monotonic() + delay > deadline
                    or (left is not None and delay >= left)
                ):
                    log.info("%s %s: giving up after %d attempts", method, logged, attempt)
                    # The last attempt may still have been acted on: look before failing.
                    if check is not None and error.may_have_committed:
                        found = check(error)
                        if found is not None:
                            return found
                    raise
                # A warning, so that a command shows it as it happens: without it an
                # unreachable endpoint is a long silence.
                log.warning(
                    "%s %s: retrying in %s (attempt %d of %d): %s",
                    method,
                    _host(logged),
                    _seconds(delay),
                    attempt,
                    policy.max_attempts,
                    error.service_message,
                )
                self._clock.sleep(delay)
                if check is not None and error.may_have_committed:
                    found = check(error)
                    if found is not None:
                        return found

    def _send(
        self,
        method: str,
        url: str,
        shown: str,
        params: Mapping[str, str | int] | None,
        body: JsonObject | None,
        auth_headers: Mapping[str, str],
        attempt: int,
    ) -> JsonObject:
        headers = {
            "Accept": "application/json",
            "User-Agent": self.options.user_agent,
            **auth_headers,
        }
        timeouts = self.options.timeouts
        started = self._clock.monotonic()
        phase_left = phase_remaining()
        limit = timeouts.total if phase_left is None else min(timeouts.total, phase_left)
        with attempt_deadline(limit) as guard:
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    json=body,
                    headers=headers,
                    timeout=(
                        min(timeouts.connect, limit),
                        min(timeouts.read, limit),
                    ),
                    allow_redirects=False,
                    stream=True,
                )
                try:
                    content = read_answer(response, started + timeouts.total, self._clock.monotonic)
                finally:
                    response.close()
            except requests.exceptions.RequestException as exc:
                if guard.expired:
                    raise self._too_slow(method, shown, attempt) from None
                raise transport_error(exc, method, shown, attempt) from None
            except AnswerTooSlowError:
                raise self._too_slow(method, shown, attempt) from None
            except AnswerTooLargeError as exc:
                raise InvalidResponseError(
                    f"the answer is larger than {exc.limit} bytes",
                    method=method,
                    url=shown,
                    http_status=response.status_code,
                    attempt=attempt,
                ) from None
            _check_in_time(guard, self._too_slow(method, shown, attempt))
        log.debug(
            "%s %s -> %d in %.0f ms (attempt %d)",
            method,
            redact_url(shown),
            response.status_code,
            (self._clock.monotonic() - started) * 1000,
            attempt,
        )
        return self._decode(response, content, method, shown, attempt)

    def _too_slow(self, method: str, shown: str, attempt: int) -> TransportError:
        left = phase_remaining()
        if left is not None and left <= 0:
            return PhaseDeadlineError(
                "the command phase passed its deadline during this call",
                method=method,
                url=shown,
                attempt=attempt,
            )
        return ReadTimeoutError(
            f"the answer took longer than the deadline of {self.options.timeouts.total:g} s",
            method=method,
            url=shown,
            attempt=attempt,
        )

    def _decode(
        self, response: requests.Response, content: bytes, method: str, shown: str, attempt: int
    ) -> JsonObject:
        status = response.status_code
        text = content.decode("utf-8", errors="replace")
        try:
            data: Any = parse_json(content) if content.strip() else {}
        except (ValueError, RecursionError):
            data = None
        if 200 <= status < 300:
            if not isinstance(data, dict):
                raise InvalidResponseError(
                    f"expected a JSON object, got {server_text(text[:200])!r}",
                    method=method,
                    url=shown,
                    http_status=status,
                    attempt=attempt,
                )
            return data
        rpc_status, message = parse_error_body(data)
        if data is None:
            # A body cut at the size limit is no longer JSON; its message is still
            # the most useful thing in it.
            rpc_status, message = fields_from_head(text)
        cls = error_class(status, rpc_status, data)
        said = message or text.strip() or str(response.reason or "") or f"HTTP {status}"
        raise cls(
            server_text(said),
            method=method,
            url=shown,
            http_status=status,
            rpc_status=rpc_status,
            attempt=attempt,
            retry_after=parse_retry_after(response.headers.get("Retry-After"), self._clock.time()),
        )

    def __repr__(self) -> str:
        return f"Transport({self._auth!r})"


def _check_in_time(guard: AttemptGuard, error: TransportError) -> None:
    """Raises `error` if the watchdog cut the attempt, however the cut read ended.

    A cut socket may read as a clean end of the answer; what was read is then
    not the whole answer.
    """
    if guard.expired:
        raise error


def _with_query(url: str, params: Mapping[str, str | int] | None) -> str:
    if not params:
        return url
    return f"{url}?{urlencode(dict(params))}"


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url


def _seconds(delay: float) -> str:
    return f"{delay:.1f} s" if delay < 10 else f"{delay:.0f} s"
