"""A hard deadline for one HTTP attempt: connect, status line, headers and body.

A socket read timeout bounds each read, not the sum of them: a server that
sends one header byte a second never trips it. So each attempt runs under an
`AttemptGuard` that one shared watchdog thread fires at the deadline; firing
shuts the attempt's socket down, which wakes the blocked read with an error
the transport then reports as the deadline it is.

The guard reaches the socket through connection classes that register it as
it is created (a fresh connection, before any TLS handshake) or reused (a
pooled one); `GuardedAdapter` makes requests use them. The watchdog measures
real time: it is real sockets that wait.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests.adapters
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager

_current = threading.local()


class AttemptGuard:
    """The deadline of one attempt and the socket it may have to cut."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._finished = False
        self.expired = False

    def watch(self, sock: socket.socket | None) -> None:
        """Makes `sock` the one cut at the deadline (cut at once if that has passed)."""
        if sock is None:
            return
        with self._lock:
            self._socket = sock
            if self.expired:
                _cut(sock)

    def expire(self) -> None:
        """Called by the watchdog at the deadline: cuts the socket unless the attempt ended."""
        with self._lock:
            if self._finished:
                return
            self.expired = True
            if self._socket is not None:
                _cut(self._socket)

    def finish(self) -> None:
        """The attempt ended (answer read or failed): the deadline no longer applies."""
        with self._lock:
            self._finished = True
            self._socket = None


def _cut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: SSLSocket.shutdown would
    # tear its TLS state down under the thread that is reading through it.
    with contextlib.suppress(OSError):  # already closed: nothing left to wait on
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that fires guards at their deadlines, earliest first."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._queue: list[tuple[float, int, AttemptGuard]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, guard: AttemptGuard, deadline: float) -> None:
        with self._ready:
            heapq.heappush(self._queue, (deadline, next(self._order), guard))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tuneops-deadlines", daemon=True
                )
                self._thread.start()
            if self._queue[0][2] is guard:  # the earliest now: the thread must wait less
                self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue or self._queue[0][0] > time.monotonic():
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._ready.wait(wait)
                _, _, guard = heapq.heappop(self._queue)
            guard.expire()


_WATCHDOG = _Watchdog()


@contextmanager
def attempt_deadline(seconds: float) -> Iterator[AttemptGuard]:
    """Runs one attempt on this thread under a hard deadline `seconds` from now."""
    guard = AttemptGuard()
    _WATCHDOG.arm(guard, time.monotonic() + seconds)
    _current.guard = guard
    try:
        yield guard
    finally:
        _current.guard = None
        guard.finish()


def _guard() -> AttemptGuard | None:
    guard: AttemptGuard | None = getattr(_current, "guard", None)
    return guard


class _Watched(HTTPConnection):
    """Registers the connection's socket with the current attempt's guard."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        guard = _guard()
        if guard is not None:
            guard.watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        guard = _guard()
        if guard is not None:
            guard.watch(self.sock)  # a pooled connection; a fresh one registers in _new_conn
        super().request(*args, **kwargs)


class _GuardedHTTPConnection(_Watched):
    pass


class _GuardedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


_POOLS = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def _use_guarded_pools(manager: PoolManager) -> None:
    manager.pool_classes_by_scheme = _POOLS


class GuardedAdapter(requests.adapters.HTTPAdapter):
    """An adapter whose connections (direct or through a proxy) obey `attempt_deadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _use_guarded_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _use_guarded_pools(manager)
        return manager
