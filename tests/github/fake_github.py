"""A fake GitHub REST API on 127.0.0.1: issue comments, a commit's pull requests, faults.

A real HTTP server, like the emulator: the client under test speaks HTTP to it,
and every request is recorded (method, path, headers, body) for assertions.
It paginates like GitHub (`per_page`, `Link: <...>; rel="next"`) and serves
under an optional prefix, as GitHub Enterprise does under `/api/v3`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "ghs_fakeToken0123456789abcdefXYZ"


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Fault:
    """An answer to give instead of the real one, once."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None  # only a request with this method, when given
    body: Any = None  # this JSON instead of GitHub's error body, when given
    path: str | None = None  # only a request whose path (no query) fully matches this regex
    drip: float | None = None  # seconds between single bytes of the answer, status line first

    def matches(self, method: str, path: str) -> bool:
        return self.method in (None, method) and (
            self.path is None or re.fullmatch(self.path, path) is not None
        )


@dataclass
class State:
    """Comments by issue number, pull requests by commit, and queued faults."""

    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    pulls_of_commit: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    next_id: int = 1000
    prefix: str = ""
    next_link_override: str | None = None
    # The token's user; None: an Actions token, which GitHub refuses on /user.
    login: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_ISSUE_COMMENTS = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_COMMENT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")
_COMMIT_PULLS = re.compile(r"^/repos/([^/]+/[^/]+)/commits/([0-9a-f]+)/pulls$")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _drip(self, status: int, body: Any, seconds: float) -> None:
        data = json.dumps(body).encode()
        raw = (
            f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        ).encode("ascii") + data
        self.close_connection = True
        try:
            for index in range(len(raw)):
                self.wfile.write(raw[index : index + 1])
                self.wfile.flush()
                time.sleep(seconds)
        except OSError:
            pass  # the client gave up: that is the point

    def _handle(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        url = urlsplit(self.path)
        with state.lock:
            state.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
            fault = next((f for f in state.faults if f.matches(self.command, url.path)), None)
            if fault is not None:
                state.faults.remove(fault)
        if fault is not None:
            body = {"message": fault.message} if fault.body is None else fault.body
            if fault.drip is not None:
                self._drip(fault.status, body, fault.drip)
            else:
                self._answer(fault.status, body, fault.headers)
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._answer(401, {"message": "Bad credentials"})
            return
        if not url.path.startswith(state.prefix):
            self._answer(404, {"message": "Not Found"})
            return
        path = url.path[len(state.prefix) :]
        with state.lock:
            self._route(state, path, parse_qs(url.query), body)

    def _route(self, state: State, path: str, query: dict[str, list[str]], body: Any) -> None:
        if (m := _ISSUE_COMMENTS.match(path)) and self.command == "GET":
            items = state.comments.get(int(m.group(2)), [])
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            chunk = items[(page - 1) * per_page : page * per_page]
            headers = {}
            if page * per_page < len(items):
                host = f"http://127.0.0.1:{self.server.server_port}"
                link = state.next_link_override or (
                    f"{host}{state.prefix}{path}?per_page={per_page}&page={page + 1}"
                )
                headers["Link"] = f'<{link}>; rel="next"'
            self._answer(200, chunk, headers)
        elif (m := _ISSUE_COMMENTS.match(path)) and self.command == "POST":
            state.next_id += 1
            comment = {
                "id": state.next_id,
                "user": {"login": state.login or "github-actions[bot]"},
                "body": body["body"],
                "html_url": f"https://github.example/{m.group(1)}/pull/{m.group(2)}"
                f"#issuecomment-{state.next_id}",
            }
            state.comments.setdefault(int(m.group(2)), []).append(comment)
            self._answer(201, comment)
        elif (m := _COMMENT.match(path)) and self.command == "PATCH":
            for comments in state.comments.values():
                for comment in comments:
                    if comment["id"] == int(m.group(2)):
                        comment["body"] = body["body"]
                        self._answer(200, comment)
                        return
            self._answer(404, {"message": "Not Found"})
        elif path == "/user" and self.command == "GET":
            if state.login is None:
                self._answer(403, {"message": "Resource not accessible by integration"})
            else:
                self._answer(200, {"login": state.login})
        elif (m := _COMMIT_PULLS.match(path)) and self.command == "GET":
            self._answer(200, state.pulls_of_commit.get(m.group(2), []))
        else:
            self._answer(404, {"message": "Not Found"})

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: State) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@dataclass
class FakeGitHub:
    """A running fake: `url` is the API root to give tuneops as GITHUB_API_URL."""

    url: str
    state: State

    def comments(self, number: int) -> list[dict[str, Any]]:
        """The comments on issue or pull request `number`, oldest first."""
        return list(self.state.comments.get(number, []))

    def fail_next(
        self, status: int, message: str, method: str | None = None, **headers: str
    ) -> None:
        """Answers the next request (of `method`) with `status` and GitHub's error body."""
        self.state.faults.append(Fault(status, message, headers, method))

    def answer_next(
        self,
        method: str,
        path: str,
        body: Any,
        status: int = 200,
        drip: float | None = None,
        **headers: str,
    ) -> None:
        """Answers the next `method` request whose path fully matches the regex `path`
        (the prefix included) with `body`, as GitHub never would; `drip` sends the
        answer one byte every `drip` seconds."""
        self.state.faults.append(Fault(status, "", headers, method, body, path, drip))

    def calls(self) -> list[str]:
        """`METHOD path` of every request so far."""
        return [f"{r.method} {urlsplit(r.path).path}" for r in self.state.requests]


@contextmanager
def fake_github(prefix: str = "") -> Iterator[FakeGitHub]:
    """Serves the fake until the block ends."""
    state = State(prefix=prefix)
    server = _Server(state)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield FakeGitHub(f"http://127.0.0.1:{server.server_port}{prefix}", state)
    finally:
        server.shutdown()
        server.server_close()
