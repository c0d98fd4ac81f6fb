"""The HTTP/1.1 server around the emulator, and the API that starts it in a thread.

Keep-alive is on (clients pool connections), every answer carries its
Content-Length and goes out in one write with TCP_NODELAY, so small responses
are not held back by Nagle's algorithm waiting for a delayed ACK.
"""

from __future__ import annotations

import contextlib
import email.utils
import http
import ipaddress
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tuneops.emulator import control
from tuneops.emulator.config import EmulatorConfig
from tuneops.emulator.errors import ApiError, JsonObject, invalid, permission_denied
from tuneops.emulator.routing import Request
from tuneops.emulator.service import Emulator, Response

RequestLog = Callable[[str], None]

_MAX_BODY = 64 * 1024 * 1024
# The statuses the base class answers on its own, as google.rpc codes.
_RPC_STATUS = {
    400: "INVALID_ARGUMENT",
    414: "INVALID_ARGUMENT",
    431: "INVALID_ARGUMENT",
    501: "UNIMPLEMENTED",
    505: "UNIMPLEMENTED",
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], emulator: Emulator, request_log: RequestLog | None
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.emulator = emulator
        self.request_log = request_log
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Ends idle keep-alive connections so their threads finish."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-answer is normal under load and in fault tests.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tuneops-emulator"
    timeout = 300  # an idle keep-alive connection is closed after this many seconds
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def parse_request(self) -> bool:
        """The base class, but an HTTP/0.9 line is refused before any header is read.

        The base class waits for the headers of a two-word `GET /` line that an
        HTTP/0.9 client never sends: the connection was held for `timeout`.
        """
        raw: bytes = getattr(self, "raw_requestline", b"")  # set by handle_one_request
        words = str(raw, "iso-8859-1").rstrip("\r\n").split()
        if len(words) == 2:
            self.request_version = "HTTP/1.0"
            self.close_connection = True
            self._refuse(400, "HTTP/0.9 requests are not served.")
            return False
        return super().parse_request()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The base class's errors (a bad request line, an unknown method, a line too
        long), as the Google error JSON every other answer uses; then the connection closes."""
        if self.request_version == self.default_request_version:
            self.request_version = "HTTP/1.0"  # no version was read: answer with a status line
        self.close_connection = True
        if code == http.HTTPStatus.NOT_IMPLEMENTED:
            text = f"Method {self.command[:20]} is not implemented."
        elif code == http.HTTPStatus.REQUEST_URI_TOO_LONG:
            text = "Request line too long."
        elif code == http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE:
            text = "Request headers too large."
        elif code == http.HTTPStatus.HTTP_VERSION_NOT_SUPPORTED:
            text = "HTTP version not supported."
        else:
            text = "Bad request line."
        self._refuse(code, text)

    def _refuse(self, code: int, text: str) -> None:
        status = _RPC_STATUS.get(code, "INVALID_ARGUMENT")
        payload = _encode({"error": {"code": code, "message": text, "status": status}})
        head = (
            f"{self.request_version} {code} {http.HTTPStatus(code).phrase}\r\n"
            "Content-Type: application/json; charset=UTF-8\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):  # the client already left
            self.wfile.write(head.encode("latin-1") + payload)
        self.log_message("%s %d", text, code)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _serve(self) -> None:
        started = time.perf_counter()
        refusal = self._refusal()
        if refusal is not None:
            self.close_connection = True
            self._write(Response.error(refusal), started)
            return
        try:
            body = self._read_body()
        except ValueError as error:
            self.close_connection = True
            self._write(Response.error(invalid(str(error))), started)
            return
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=unquote(split.path),
            query=parse_qs(split.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        response = self.server.emulator.handle(request)
        if response is None:
            self.close_connection = True  # the answer is lost: close without a word
            self._log(f"{self.command} {_redacted(self.path)} dropped", started)
            return
        self._write(response, started)

    def _refusal(self) -> ApiError | None:
        """Why a request that a web page could have made is refused, if it is.

        A `Host` naming some other domain is DNS rebinding: a page on
        attacker.example resolving to 127.0.0.1. A state-changing control call
        must be JSON (a content type a browser only sends cross-origin after a
        preflight, which this server never grants) and carry no foreign `Origin`.
        """
        host = self.headers.get("Host")
        if host is not None and not _local_host(host, self.server.server_address):
            return permission_denied(f"Host {host[:100]!r} is not this emulator's address.")
        if not self.path.startswith("/_emulator/") or self.command == "GET":
            return None
        origin = self.headers.get("Origin")
        if origin is not None and not _local_origin(origin, self.server.server_address):
            return permission_denied("Control requests from web pages are refused.")
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if self.command == "POST" and kind != "application/json":
            return invalid("Control requests must be sent as Content-Type: application/json.")
        return None

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > _MAX_BODY:
            raise ValueError(f"Request body of {length} bytes is not accepted.")
        return self.rfile.read(length) if length else b""

    def _write(self, response: Response, started: float) -> None:
        payload = _encode(response.body) if response.raw is None else response.raw.data
        content_type = (
            "application/json; charset=UTF-8" if response.raw is None else response.raw.content_type
        )
        try:
            reason = http.HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Client Closed Request" if response.status == 499 else "Error"
        head = [
            f"HTTP/1.1 {response.status} {reason}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(payload)}",
            f"Date: {email.utils.formatdate(usegmt=True)}",
            f"Server: {self.server_version}",
        ]
        head += [f"{name}: {value}" for name, value in response.headers.items()]
        if self.close_connection:
            head.append("Connection: close")
        try:
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
        except OSError:
            self.close_connection = True
        self._log(f"{self.command} {_redacted(self.path)} {response.status}", started)

    def _log(self, text: str, started: float) -> None:
        if self.server.request_log is not None:
            elapsed = (time.perf_counter() - started) * 1000
            self.server.request_log(f"{self.client_address[0]} {text} {elapsed:.1f}ms")

    def log_message(self, format: str, *args: Any) -> None:
        # Malformed requests are answered by the base class; report them like the rest.
        if self.server.request_log is not None:
            self.server.request_log(_redacted(format % args))


# Credentials a client may (wrongly) put in a URL; the log must not keep them.
_SECRET_IN_TEXT = re.compile(
    r"(?i)((?:key|api_key|apikey|access_token|token)=)[^&\s\"']*|(bearer\s+)[^\s\"']+"
)


def _redacted(text: str) -> str:
    """`text` with `key=…`-style query values and bearer tokens masked."""
    return _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1) or m.group(2)}<redacted>", text)


def _split_host(value: str) -> tuple[str, str | None]:
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8080
        host, _, rest = value[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else None
    host, colon, port = value.rpartition(":")
    return (host, port) if colon else (value, None)


def _local_host(value: str, address: Any) -> bool:
    """The `Host` header cannot come from DNS rebinding: an IP address, `localhost`,
    or the name the emulator was told to bind to.

    Rebinding needs a domain name the attacker controls, so IP literals are safe,
    and ports are not compared (a container's port mapping changes them).
    """
    host, _port = _split_host(value)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host in ("localhost", str(address[0]).lower())
    return True


def _local_origin(origin: str, address: Any) -> bool:
    """An `Origin` of a page served from this machine's loopback or the bound host."""
    scheme, _, rest = origin.partition("://")
    host, _port = _split_host(rest)
    if scheme != "http":
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost", str(address[0]).lower())


def _encode(body: JsonObject) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class EmulatorHandle:
    """A running emulator: its URL plus shortcuts to the control API (in process)."""

    def __init__(self, emulator: Emulator, host: str, port: int) -> None:
        self._emulator = emulator
        self.host = host
        self.port = port
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}"

    @property
    def config(self) -> EmulatorConfig:
        """The settings it runs with."""
        return self._emulator.config

    def now(self) -> str:
        """The virtual time, RFC 3339."""
        return str(control.clock(self._emulator.state)["now"])

    def advance(self, seconds: float) -> str:
        """Moves the virtual clock forward; returns the new time."""
        return str(control.advance_clock(self._emulator.state, {"seconds": seconds})["now"])

    def force(self, name: str, outcome: str) -> JsonObject:
        """Makes a job `succeed`, `fail` or `stall`; returns the job as it is now."""
        return control.force_job(self._emulator.state, {"name": name, "outcome": outcome})

    def retire(self, model: str) -> JsonObject:
        """Retires a catalogue model now: creates on it are refused, its pending and
        running jobs fail; answers the model, the day and the jobs that failed."""
        return control.retire_model(self._emulator.state, {"model": model})

    def offer(self, model: str, method: str) -> JsonObject:
        """Lets Vertex jobs tune `model` by `method` (POST /_emulator/models:offer)."""
        return control.offer_method(self._emulator.state, {"model": model, "method": method})

    def set_scores(self, name: str, scores: dict[str, dict[str, float]]) -> JsonObject:
        """Sets a job's evaluation scores per checkpoint (POST /_emulator/jobs:evaluate)."""
        return control.set_evaluation(self._emulator.state, {"name": name, "scores": scores})

    def add_fault(self, **fault: Any) -> None:
        """Queues a fault; keywords as in the control API (kind, method, path, count...)."""
        control.add_fault(self._emulator.state, fault)

    def clear_faults(self) -> None:
        """Drops every pending fault."""
        control.clear_faults(self._emulator.state)

    def reset(self) -> None:
        """Forgets all jobs, faults, counts, clock advances and retired models."""
        control.reset(self._emulator.state)

    def request_counts(self) -> dict[str, int]:
        """API requests per `METHOD /version/template`."""
        return self._emulator.state.counts.snapshot()

    def clear_request_counts(self) -> None:
        """Starts counting requests from zero."""
        control.clear_request_counts(self._emulator.state)

    def put_object(self, uri: str, data: bytes, *, overwrite: bool = True) -> int:
        """Writes `gs://bucket/name` straight into the state (not counted as a request);
        returns the live generation. Without `overwrite` an existing object is kept."""
        bucket, _, name = uri.removeprefix("gs://").partition("/")
        state = self._emulator.state
        with state.lock:
            objects = state.store.objects
            found = objects.get(bucket, name)
            if found is None or overwrite:
                found = objects.put(bucket, name, data, "application/jsonl", state.now_us())
            return found.generation

    def projects(self) -> dict[str, str]:
        """The project id -> number mapping used in resource names."""
        return self._emulator.state.projects()

    def set_max_concurrent_jobs(self, limit: int | None) -> None:
        """Caps the pending and running Vertex jobs per project and location (None: no cap)."""
        control.set_limits(self._emulator.state, {"maxConcurrentJobs": limit})


@contextmanager
def start_emulator(
    config: EmulatorConfig | None = None, *, request_log: RequestLog | None = None
) -> Iterator[EmulatorHandle]:
    """Serves an emulator in a background thread until the block ends.

    Binding happens before the block starts, so the URL is usable at once. On
    exit the server stops accepting, open connections are closed and the state
    is released (a state file stays on disk).
    """
    config = config or EmulatorConfig()
    emulator = Emulator(config)
    try:
        server = _Server((config.host, config.port), emulator, request_log)
    except BaseException:
        emulator.close()
        raise
    host, port = server.server_address[:2]
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"tuneops-emulator-{port}",
        daemon=True,
    )
    thread.start()
    try:
        yield EmulatorHandle(emulator, str(host), int(port))
    finally:
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()
        emulator.close()
