"""A request that got no HTTP answer: what went wrong, in words, and which error it is.

Whether the request left this host decides what a retry may do: a refused
connection was never sent, a timeout after sending may have been acted on. A
refused connection to this very machine is not retried at all: nothing runs
there (`local_endpoint`).
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import requests
import urllib3.exceptions

from tuneops.backends.transport.errors import (
    ConnectError,
    ConnectionDroppedError,
    ReadTimeoutError,
    TransportError,
)
from tuneops.backends.transport.local_endpoint import EmulatorNotRunningError, loopback_address
from tuneops.backends.transport.redact import redact, redact_url

log = logging.getLogger("tuneops.backends")


def _plain_reason(exc: BaseException) -> str | None:
    """What went wrong in words, from the exception chain urllib3 wraps around it."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        pending.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        pending.extend(a for a in current.args if isinstance(a, BaseException))
    for item in seen:
        if isinstance(item, ConnectionRefusedError):
            return "connection refused"
        if isinstance(item, socket.gaierror):
            return "the host name cannot be resolved"
        if isinstance(item, ConnectionResetError):
            return "connection reset by the server"
    for item in seen:
        if isinstance(item, urllib3.exceptions.ConnectTimeoutError):
            return "timed out connecting"
        if isinstance(item, (urllib3.exceptions.ReadTimeoutError, TimeoutError)):
            return "timed out waiting for the answer"
        if isinstance(item, urllib3.exceptions.ProtocolError):
            return "the connection closed before the answer was complete"
    return None


def transport_error(
    exc: requests.exceptions.RequestException, method: str, url: str, attempt: int
) -> TransportError:
    """Classifies a failure without an answer by whether the request left this host."""
    reason: Any = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    technical = redact(f"{type(reason).__name__}: {reason}")[:300]
    log.debug("%s %s: %s", method, redact_url(url), technical)
    detail = _plain_reason(exc) or technical
    cls: type[TransportError]
    if isinstance(exc, requests.exceptions.ConnectTimeout) or isinstance(
        reason, urllib3.exceptions.NewConnectionError
    ):
        cls = ConnectError
        if detail == "connection refused" and loopback_address(url) is not None:
            return EmulatorNotRunningError(url, method=method, attempt=attempt)
    elif isinstance(exc, requests.exceptions.ReadTimeout):
        cls = ReadTimeoutError
    elif isinstance(
        exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
    ):
        cls = ConnectionDroppedError
    else:
        cls = TransportError
    return cls(detail, method=method, url=url, attempt=attempt)
