"""Who watches the remote calls: one narrow hook for metrics and logs.

The transport tells the observers about each answer (or its absence) and each
retry it decides on; it knows nothing of what they do with it. `tuneops
reconcile --watch --metrics-port` registers one that counts requests and retries
per service and status code (tuneops.service.metrics). Observers are process-wide,
like the secrets in `redact`, because the backends of each cycle are new ones.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("tuneops.backends")

NO_ANSWER = "none"  # the code of an attempt that got no HTTP answer (refused, reset, cut)


class CallEventKind(str, enum.Enum):
    """What happened: an attempt ended (answered or not), or a retry was decided."""

    ANSWERED = "answered"
    RETRYING = "retrying"


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One attempt of one call; `code` is the HTTP status, or `NO_ANSWER`.

    `service` is `vertex`, `gemini` or `storage`; `request_id` is tuneops' id of
    the call, the same on each of its attempts (nothing the server sees). For a
    `RETRYING` event, `code` is what the failed attempt got.
    """

    kind: CallEventKind
    service: str
    method: str
    code: str
    attempt: int
    request_id: str
    seconds: float = 0.0


class CallObserver(Protocol):
    """Anything that wants to know about remote calls."""

    def observe(self, event: CallEvent) -> None:
        """Called on the thread that made the call; must be quick and must not raise."""


_lock = threading.Lock()
_observers: list[CallObserver] = []
_call = threading.local()  # the id of the call this thread is making


@contextlib.contextmanager
def one_call() -> Iterator[str]:
    """Gives the call made in the block (every attempt of it) a new request id."""
    outer = getattr(_call, "id", None)
    _call.id = uuid.uuid4().hex[:16]
    try:
        yield _call.id
    finally:
        _call.id = outer


def request_id() -> str:
    """The id of the call this thread is making ("" outside one)."""
    return getattr(_call, "id", None) or ""


@contextlib.contextmanager
def observing(observer: CallObserver) -> Iterator[None]:
    """Tells `observer` about every remote call made while the block runs."""
    with _lock:
        _observers.append(observer)
    try:
        yield
    finally:
        with _lock:
            _observers.remove(observer)


def notify(event: CallEvent) -> None:
    """Hands `event` to every observer; an observer's failure never fails the call."""
    with _lock:
        current = tuple(_observers)
    for observer in current:
        try:
            observer.observe(event)
        except Exception:  # a metrics bug must not turn into a failed apply
            log.debug("a call observer failed", exc_info=True)
