"""The HTTP side of the watch loop: `/metrics`, `/healthz`, `/readyz`.

A small threaded server from the standard library (three read-only paths need
no framework); the exposition itself is prometheus-client's. It binds
127.0.0.1 unless told otherwise (`--metrics-address 0.0.0.0` in a container).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from tuneops.service.health import Verdict
from tuneops.service.listen import Listen


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        listen: Listen,
        registry: CollectorRegistry,
        judges: dict[str, Callable[[], Verdict]],
    ) -> None:
        if ":" in listen.host:  # an IPv6 address
            self.address_family = socket.AF_INET6
        super().__init__((listen.host, listen.port), _Handler)
        self.registry = registry
        self.judges = judges


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, CONTENT_TYPE_LATEST, generate_latest(self.server.registry))
            return
        judge = self.server.judges.get(path)
        if judge is None:
            known = b"not found; served: /metrics, /healthz, /readyz\n"
            self._send(404, "text/plain; charset=utf-8", known)
            return
        verdict = judge()
        body = {"status": "ok" if verdict.ok else "fail", "reason": verdict.reason}
        payload = (json.dumps(body) + "\n").encode("utf-8")
        self._send(200 if verdict.ok else 503, "application/json", payload)

    def _send(self, status: int, content_type: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a scrape every 15 s is not news."""


@contextlib.contextmanager
def serving(
    listen: Listen,
    registry: CollectorRegistry,
    healthz: Callable[[], Verdict],
    readyz: Callable[[], Verdict],
) -> Iterator[tuple[str, int]]:
    """Serves the three paths in a background thread while the block runs; yields
    the bound address and port (the port chosen when `listen.port` is 0)."""
    server = _Server(listen, registry, {"/healthz": healthz, "/readyz": readyz})
    host, port = server.server_address[:2]
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name=f"tuneops-metrics-{port}",
        daemon=True,
    )
    thread.start()
    try:
        yield str(host), int(port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
