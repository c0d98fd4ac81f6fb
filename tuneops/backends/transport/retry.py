"""The one retry loop: how every call of every client backs off, gives up and logs.

Vertex AI, the Gemini API and Cloud Storage all retry through `retrying`, under
a `RetryPolicy`: the errors' classes say what may be retried (data, not `if`s),
the policy says how long and how often. Google's own storage client retries
408, 429, 5xx and dropped connections with jittered exponential backoff up to
a 120 s deadline; so does this, for every service.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from tuneops.backends.transport.auth import AuthProvider
from tuneops.backends.transport.clock import Clock
from tuneops.backends.transport.deadlines import phase_remaining, what_passed
from tuneops.backends.transport.errors import (
    PhaseDeadlineError,
    RateLimitedError,
    RemoteError,
    UnauthenticatedError,
)
from tuneops.backends.transport.pacing import RateLimiter, answered, throttled
from tuneops.backends.transport.redact import redact_url

log = logging.getLogger("tuneops.backends")

T = TypeVar("T")


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
class Retrier:
    """What the loop needs of a transport: its policy, clock, jitter and credential."""

    policy: RetryPolicy
    clock: Clock
    rng: random.Random
    auth: AuthProvider


def retrying(
    retrier: Retrier,
    method: str,
    shown: str,
    attempt: Callable[[int, Mapping[str, str]], T],
    *,
    idempotent: bool,
    limiters: Sequence[RateLimiter] = (),
    check: Callable[[RemoteError], T | None] | None = None,
    subject: str | None = None,
) -> T:
    """Runs `attempt(number, auth headers)` under the retry policy: the one retry loop.

    Every call of every client (Vertex AI, Gemini API, Cloud Storage) goes
    through here, so that they all back off, give up and log alike.
    """
    policy = retrier.policy
    deadline = retrier.clock.monotonic() + policy.deadline
    logged = subject or redact_url(shown)
    number = 0
    refused = 0  # attempts answered 429: they do not count against max_attempts
    renewed = False
    while True:
        number += 1
        for limiter in limiters:
            deadline += limiter.acquire()  # pacing is not retrying
        left = phase_remaining()
        if left is not None and left <= 0:
            raise _about(
                PhaseDeadlineError(
                    f"{what_passed()} before this call",
                    method=method,
                    url=shown,
                    attempt=number,
                ),
                subject,
            )
        sent_headers: Mapping[str, str] = {}
        try:
            sent_headers = retrier.auth.headers()
            answer = attempt(number, sent_headers)
            answered(limiters)
            return answer
        except UnauthenticatedError as error:
            # A 401 says nothing happened; renew the credential and try once more.
            if renewed or not retrier.auth.refresh_after_unauthorized(sent_headers):
                raise _about(error, subject) from None
            renewed = True
            number -= 1
            log.info("%s %s: 401, retrying once with a renewed credential", method, logged)
            continue
        except RemoteError as error:
            delay = error.retry_after
            if delay is None:
                delay = policy.backoff(number, retrier.rng) if error.retryable else 0.0
            if isinstance(error, RateLimitedError):
                # The quota is shared: slow every caller down; pause them all only as
                # long as the service said (not this call's own jittered backoff), and
                # never past this call's deadline on one server's say-so.
                pause = min(error.retry_after or 0.0, deadline - retrier.clock.monotonic())
                throttled(limiters, max(0.0, pause))
                refused += 1
            else:
                answered(limiters)
            if not error.retryable or (not idempotent and check is None):
                raise _about(error, subject) from None
            counted = number - refused
            left = phase_remaining()
            if (
                counted >= policy.max_attempts
                or retrier.clock.monotonic() + delay > deadline
                or (left is not None and delay >= left)
            ):
                log.info("%s %s: giving up after %d attempts", method, logged, number)
                # The last attempt may still have been acted on: look before failing.
                if check is not None and error.may_have_committed:
                    found = check(error)
                    if found is not None:
                        return found
                raise _about(error, subject) from None
            # A warning, so that a command shows it as it happens: without it an
            # unreachable endpoint is a long silence. A storage call names its
            # object in full: which of 20,000 objects it was is the point.
            log.warning(
                "%s %s: retrying in %s (attempt %d of %d): %s",
                method,
                subject or _host(logged),
                _seconds(delay),
                number,
                policy.max_attempts,
                error.service_message,
            )
            retrier.clock.sleep(delay)
            if check is not None and error.may_have_committed:
                found = check(error)
                if found is not None:
                    return found


def _about(error: RemoteError, subject: str | None) -> RemoteError:
    return error.about(subject) if subject else error


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url


def _seconds(delay: float) -> str:
    return f"{delay:.1f} s" if delay < 10 else f"{delay:.0f} s"
