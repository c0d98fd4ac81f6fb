"""A hostile HTTP server on 127.0.0.1 whose answers each test scripts.

By default it passes every request on to an upstream (an emulator), so the
remote state stays real; a test adds rules that answer matching requests
differently: a wrong body, a lost answer after the upstream acted, a listing
that ignores its filter, a body dripped one byte at a time, a huge message.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests


@dataclass
class Seen:
    """One request as the hostile server received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    upstream: str

    def forward(self, *, drop_query: tuple[str, ...] = ()) -> Reply:
        """Sends the request on to the upstream (optionally without some query
        parameters) and returns its answer."""
        query = {k: v for k, v in self.query.items() if k not in drop_query}
        url = f"{self.upstream}{self.path}" + (f"?{urlencode(query)}" if query else "")
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
        }
        answer = requests.request(
            self.method, url, data=self.body or None, headers=headers, timeout=10
        )
        return Reply(answer.status_code, answer.content)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Reply:
    """What the hostile server sends back; `drip` seconds between single bytes of
    the body, `drip_head` of the status line and headers."""

    status: int
    body: bytes = b"{}"
    drip: float | None = None
    drip_head: float | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, status: int, data: Any) -> Reply:
        return cls(status, json.dumps(data).encode("utf-8"))

    def data(self) -> Any:
        return json.loads(self.body)


Script = Callable[[Seen], Reply]


@dataclass
class _Rule:
    method: str
    path: re.Pattern[str]
    script: Script
    times: int | None


class HostileServer:
    """The server; `rule()` scripts answers, `seen` records every request."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.seen: list[Seen] = []
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self.url = ""

    def rule(self, method: str, path: str, script: Script, times: int | None = None) -> None:
        """Answers `method` requests whose path fully matches the regex `path` with
        `script`, `times` times (None: always). Later rules are tried first."""
        with self._lock:
            self._rules.insert(0, _Rule(method, re.compile(path), script, times))

    def _script_for(self, seen: Seen) -> Script:
        with self._lock:
            self.seen.append(seen)
            for rule in self._rules:
                if rule.method == seen.method and rule.path.fullmatch(seen.path):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times == 0:
                            self._rules.remove(rule)
                    return rule.script
        return lambda request: request.forward()


def _handler(server: HostileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                method=self.command,
                path=split.path,
                query=dict(parse_qsl(split.query, keep_blank_values=True)),
                headers=dict(self.headers.items()),
                body=self.rfile.read(length) if length else b"",
                upstream=server.upstream,
            )
            reply = server._script_for(seen)(seen)
            if reply.drip_head is not None:
                self._drip_head(reply)
                return
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                if reply.drip is None:
                    self.wfile.write(reply.body)
                    return
                for index in range(len(reply.body)):
                    self.wfile.write(reply.body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(reply.drip)
            except OSError:
                self.close_connection = True  # the client gave up: that is the point

        def _drip_head(self, reply: Reply) -> None:
            head = (
                f"HTTP/1.1 {reply.status} OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(reply.body)}\r\n\r\n"
            ).encode("ascii")
            self.close_connection = True
            try:
                for index in range(len(head)):
                    self.wfile.write(head[index : index + 1])
                    self.wfile.flush()
                    time.sleep(reply.drip_head or 0.0)
                self.wfile.write(reply.body)
            except OSError:
                pass  # the client gave up: that is the point

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def hostile_server(upstream: str) -> Iterator[HostileServer]:
    """Serves a hostile server in front of `upstream` until the block ends."""
    server = HostileServer(upstream)
    http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    http.daemon_threads = True
    host, port = http.server_address[:2]
    server.url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        http.shutdown()
        http.server_close()
        thread.join()
