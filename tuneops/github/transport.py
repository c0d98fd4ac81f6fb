"""A hard deadline for one request to GitHub: connect, status line, headers and body.

A socket timeout bounds each read, not their sum: an API that sends one byte
every 5 s never trips a 30 s read timeout and holds the step for as long as it
likes. So each request runs under a `Cut`: a timer that, at the deadline,
shuts down the request's socket, which wakes the blocked read with an error.
The connection classes below hand their socket to the current thread's `Cut`
as it is created (or reused from the pool); `session()` makes requests use them.

The same idea as `tuneops.backends.watchdog` (which `tuneops.github` may not
import: the GitHub client never touches the Google side), reduced to what a
handful of GitHub calls need: one timer thread per request. Imported lazily by
`rest`, so that commands which never talk to GitHub never load requests.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
import requests.adapters
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager

_current = threading.local()


class Cut:
    """The deadline of one request and the socket it cuts when it passes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._finished = False
        self.expired = False

    def watch(self, sock: socket.socket | None) -> None:
        """Makes `sock` the one cut at the deadline (at once if it has passed)."""
        if sock is None:
            return
        with self._lock:
            self._socket = sock
            if self.expired:
                _shut(sock)

    def expire(self) -> None:
        """The deadline: cuts the socket unless the request has ended."""
        with self._lock:
            if self._finished:
                return
            self.expired = True
            if self._socket is not None:
                _shut(self._socket)

    def finish(self) -> None:
        """The request ended (answer read, or failed): nothing left to cut."""
        with self._lock:
            self._finished = True
            self._socket = None


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would tear the
    # TLS state down under the thread reading through it.
    with contextlib.suppress(OSError):  # already closed: nothing is waiting on it
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


@contextmanager
def deadline(seconds: float) -> Iterator[Cut]:
    """Runs one request on this thread, cut `seconds` from now (real time: it is
    a real socket that waits)."""
    cut = Cut()
    timer = threading.Timer(seconds, cut.expire)
    timer.daemon = True
    timer.start()
    _current.cut = cut
    try:
        yield cut
    finally:
        _current.cut = None
        cut.finish()
        timer.cancel()


def _cut() -> Cut | None:
    cut: Cut | None = getattr(_current, "cut", None)
    return cut


class _Watched(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        cut = _cut()
        if cut is not None:
            cut.watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        cut = _cut()
        if cut is not None:
            cut.watch(self.sock)  # a pooled connection; a fresh one registers in _new_conn
        super().request(*args, **kwargs)


class _WatchedHTTPS(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _Watched


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


def _watched_pools(manager: PoolManager) -> None:
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class _Adapter(requests.adapters.HTTPAdapter):
    """Connections, direct or through a proxy, that obey `deadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watched_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _watched_pools(manager)
        return manager


def session() -> requests.Session:
    """A session whose requests `deadline` can cut."""
    made = requests.Session()
    made.mount("http://", _Adapter())
    made.mount("https://", _Adapter())
    return made
