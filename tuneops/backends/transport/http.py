"""The transport: one pooled `requests.Session`, timeouts, retries, pacing, errors.

Every call goes through `Transport.request` (JSON, or a file as the body) or
`Transport.download` (a body consumed as a stream), which

1. waits for the rate limiters,
2. sends the request with connect and read timeouts and the auth headers,
   and reads the answer within a total deadline and a size limit,
3. turns the answer (or its absence) into JSON or a typed `RemoteError`,
4. retries when the error class says it is retryable and the call is idempotent
   (or the caller supplied a `check` that makes a retry safe), sleeping the
   server's `Retry-After` or an exponential backoff with full jitter, bounded by
   attempts and a deadline,
5. renews the credential and retries once after a 401.

Steps 4 and 5 are the one retry loop, `transport/retry.py`, shared by every
client; Cloud Storage calls pass a `subject` (the `gs://` URI) that their retry
warnings and errors name.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast
from urllib.parse import urlencode

import requests
import urllib3.exceptions

from tuneops import __version__
from tuneops.backends.transport.answers import (
    AnswerTooLargeError,
    AnswerTooSlowError,
    fields_from_head,
    parse_json,
    parse_retry_after,
    read_answer,
    server_text,
)
from tuneops.backends.transport.auth import AuthProvider
from tuneops.backends.transport.clock import Clock
from tuneops.backends.transport.deadlines import (
    in_flight,
    phase_remaining,
    thread_phase_remaining,
    what_passed,
)
from tuneops.backends.transport.errors import (
    InvalidResponseError,
    PhaseDeadlineError,
    ReadTimeoutError,
    RemoteError,
    TransportError,
    error_class,
    parse_error_body,
)
from tuneops.backends.transport.no_answer import transport_error
from tuneops.backends.transport.pacing import RateLimiter
from tuneops.backends.transport.redact import redact_url
from tuneops.backends.transport.retry import Retrier, retrying
from tuneops.backends.transport.retry import (
    RetryPolicy as RetryPolicy,  # where callers import it from
)
from tuneops.watchdog import AttemptGuard, GuardedAdapter, attempt_deadline

log = logging.getLogger("tuneops.backends")

JsonObject = dict[str, Any]
T = TypeVar("T")
# Called before a retry of a non-idempotent call whose failed attempt may have
# been acted on; returns the result that attempt produced, or None to retry.
Check = Callable[[RemoteError], "JsonObject | None"]


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
        upload: Upload | None = None,
        timeouts: Timeouts | None = None,
        subject: str | None = None,
    ) -> JsonObject:
        """Sends one call, with retries; returns the JSON object of the answer.

        A non-idempotent call is retried only when `check` is given; it runs
        before each retry that follows an attempt which may have been acted on.
        `upload` sends a file as the body instead of JSON (opened again for each
        attempt); `timeouts` replace the transport's for this call; `subject`
        (a `gs://` URI) names what the call is about in retry logs and errors.
        """
        shown = _with_query(url, params)

        def attempt(number: int, auth_headers: Mapping[str, str]) -> JsonObject:
            exchange = _Exchange(method, url, shown, params, body, upload, timeouts)
            return cast(JsonObject, self._send(exchange, auth_headers, number, None))

        return self.retrying(
            method,
            shown,
            attempt,
            idempotent=idempotent,
            limiters=limiters,
            check=check,
            subject=subject,
        )

    def download(
        self,
        url: str,
        consume: Callable[[BinaryIO], T],
        *,
        params: Mapping[str, str | int] | None = None,
        timeouts: Timeouts | None = None,
        subject: str | None = None,
    ) -> T:
        """GETs `url` and hands the body, as a stream, to `consume`; its result is returned.

        The whole of it is one attempt: a connection lost mid-body is retried like
        any read, and `consume` starts again from the first byte.
        """
        shown = _with_query(url, params)

        def attempt(number: int, auth_headers: Mapping[str, str]) -> T:
            exchange = _Exchange("GET", url, shown, params, None, None, timeouts)
            return cast(T, self._send(exchange, auth_headers, number, consume))

        return self.retrying("GET", shown, attempt, idempotent=True, subject=subject)

    def retrying(
        self,
        method: str,
        shown: str,
        attempt: Callable[[int, Mapping[str, str]], T],
        *,
        idempotent: bool,
        limiters: Sequence[RateLimiter] = (),
        check: Callable[[RemoteError], T | None] | None = None,
        subject: str | None = None,
    ) -> T:
        """Runs `attempt(number, auth headers)` under this transport's retry policy."""
        return retrying(
            Retrier(self.options.retry, self._clock, self._rng, self._auth),
            method,
            shown,
            attempt,
            idempotent=idempotent,
            limiters=limiters,
            check=check,
            subject=subject,
        )

    def _send(
        self,
        exchange: _Exchange,
        auth_headers: Mapping[str, str],
        attempt: int,
        consume: Callable[[BinaryIO], T] | None,
    ) -> Any:
        """One attempt: the JSON object of the answer, or what `consume` made of its body."""
        method, shown = exchange.method, exchange.shown
        headers = {
            "Accept": "application/json",
            "User-Agent": self.options.user_agent,
            **auth_headers,
        }
        timeouts = exchange.timeouts or self.options.timeouts
        started = self._clock.monotonic()
        # A read in flight is cut when the command's network time ends; a create,
        # cancel or upload in flight finishes under its own deadline, so that its
        # outcome is known (no call of any kind starts after it: retry.py).
        phase_left = phase_remaining() if method == "GET" else thread_phase_remaining()
        limit = timeouts.total if phase_left is None else min(timeouts.total, phase_left)
        with in_flight(), attempt_deadline(limit) as guard, contextlib.ExitStack() as files:
            data: BinaryIO | bytes | None = None
            if exchange.upload is not None:
                source = exchange.upload.source
                if isinstance(source, bytes):
                    data, size = source, len(source)
                elif isinstance(source, Path):
                    opened = files.enter_context(source.open("rb"))
                    data, size = opened, os.fstat(opened.fileno()).st_size
                else:  # an open stream: every attempt sends it from its start
                    size = source.seek(0, os.SEEK_END)
                    source.seek(0)
                    data = source
                headers["Content-Type"] = exchange.upload.content_type
                headers["Content-Length"] = str(size)
            try:
                response = self._session.request(
                    method,
                    exchange.url,
                    params=exchange.params,
                    json=exchange.body,
                    data=data,
                    headers=headers,
                    timeout=(
                        min(timeouts.connect, limit),
                        min(timeouts.read, limit),
                    ),
                    allow_redirects=False,
                    stream=True,
                )
                try:
                    if consume is not None and 200 <= response.status_code < 300:
                        response.raw.decode_content = True
                        try:
                            # urllib3's response is a readable binary stream (io.IOBase).
                            result = _consumed(consume, cast(BinaryIO, response.raw))
                        except RemoteError:
                            # A body cut by the watchdog may read as a short one.
                            _check_in_time(guard, self._too_slow(method, shown, attempt, limit))
                            raise
                        _check_in_time(guard, self._too_slow(method, shown, attempt, limit))
                        return result
                    content = read_answer(response, started + timeouts.total, self._clock.monotonic)
                finally:
                    response.close()
            except requests.exceptions.RequestException as exc:
                if guard.expired:
                    raise self._too_slow(method, shown, attempt, limit) from None
                raise transport_error(exc, method, shown, attempt) from None
            except AnswerTooSlowError:
                raise self._too_slow(method, shown, attempt, limit) from None
            except AnswerTooLargeError as exc:
                raise InvalidResponseError(
                    f"the answer is larger than {exc.limit} bytes",
                    method=method,
                    url=shown,
                    http_status=response.status_code,
                    attempt=attempt,
                ) from None
            _check_in_time(guard, self._too_slow(method, shown, attempt, limit))
        log.debug(
            "%s %s -> %d in %.0f ms (attempt %d)",
            method,
            redact_url(shown),
            response.status_code,
            (self._clock.monotonic() - started) * 1000,
            attempt,
        )
        return self._decode(response, content, method, shown, attempt)

    def _too_slow(self, method: str, shown: str, attempt: int, limit: float) -> TransportError:
        left = phase_remaining()
        if left is not None and left <= 0:
            return PhaseDeadlineError(
                f"{what_passed()} during this call",
                method=method,
                url=shown,
                attempt=attempt,
            )
        return ReadTimeoutError(
            f"the answer took longer than the deadline of {limit:g} s",
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


@dataclass(frozen=True, slots=True)
class Upload:
    """A request's body: a file, opened again for each attempt, bytes in memory, or an
    open seekable stream, sent again from its start for each attempt."""

    source: Path | bytes | BinaryIO
    content_type: str


@dataclass(frozen=True, slots=True)
class _Exchange:
    """What one attempt sends."""

    method: str
    url: str
    shown: str
    params: Mapping[str, str | int] | None
    body: JsonObject | None
    upload: Upload | None
    timeouts: Timeouts | None


def _consumed(consume: Callable[[BinaryIO], T], stream: BinaryIO) -> T:
    """`consume(stream)`, a connection lost while it reads being a lost connection."""
    try:
        return consume(stream)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc) from None
    except (urllib3.exceptions.HTTPError, ConnectionError) as exc:
        raise requests.exceptions.ConnectionError(exc) from None


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
