"""What the emulator does with requests no client should send: bounded, JSON, closed at once.

Over real sockets (and through the google-genai SDK where it applies): a
filter nested a thousand deep, an unknown method, an HTTP/0.9 or malformed
request line.
"""

from __future__ import annotations

import socket
import time

import pytest
from google.genai import errors

from tests.emulator.support import SDK_WARNINGS, vertex_client, vertex_http
from tuneops.emulator import EmulatorHandle

JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"
NESTED = "(" * 1000 + 'labels.a="b"' + ")" * 1000


def _invalid(message: str) -> dict[str, object]:
    return {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}


def test_a_filter_nested_a_thousand_deep_is_a_400(emulator: EmulatorHandle) -> None:
    answer = vertex_http(emulator.url).call("GET", JOBS, params={"filter": NESTED})
    assert answer.status_code == 400
    assert answer.json() == _invalid("Invalid filter: parentheses nest deeper than 32 levels.")


def test_a_filter_longer_than_the_limit_is_a_400(emulator: EmulatorHandle) -> None:
    text = " OR ".join(['labels.a="b"'] * 1000)
    answer = vertex_http(emulator.url).call("GET", JOBS, params={"filter": text})
    assert answer.status_code == 400
    assert answer.json() == _invalid(
        f"Invalid filter: {len(text)} characters; at most 4096 are accepted."
    )


@pytest.mark.filterwarnings(SDK_WARNINGS)
def test_the_sdk_sees_a_deep_filter_as_a_client_error(emulator: EmulatorHandle) -> None:
    client = vertex_client(emulator.url)
    with pytest.raises(errors.ClientError) as caught:
        list(client.tunings.list(config={"filter": NESTED}))
    assert caught.value.code == 400
    assert caught.value.status == "INVALID_ARGUMENT"


def _exchange(emulator: EmulatorHandle, raw: bytes, wait: float = 5.0) -> tuple[bytes, float]:
    """Sends `raw`, reads until the server closes; the answer and how long that took."""
    with socket.create_connection((emulator.host, emulator.port), timeout=wait) as sock:
        started = time.monotonic()
        sock.sendall(raw)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pytest.fail(f"the connection was held open past {wait} s; got {received!r}")
        return received, time.monotonic() - started


def test_an_unknown_method_gets_a_json_error(emulator: EmulatorHandle) -> None:
    raw = f"BREW {JOBS} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    answer, _ = _exchange(emulator, raw)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 501 ")
    assert b"Content-Type: application/json" in head
    assert body == (
        b'{"error":{"code":501,"message":"Method BREW is not implemented.",'
        b'"status":"UNIMPLEMENTED"}}'
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"GET /\r\n", "HTTP/0.9 requests are not served."),
        (b"GET / HTTP/1.1 extra\r\n", "Bad request line."),
        (b"GET / FTP/1.0\r\n", "Bad request line."),
    ],
)
def test_an_http09_or_malformed_request_line_is_closed_at_once(
    emulator: EmulatorHandle, line: bytes, message: str
) -> None:
    answer, took = _exchange(emulator, line)  # no headers follow: nothing more will come
    assert took < 2.0
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 400 ")
    assert (
        body
        == f'{{"error":{{"code":400,"message":"{message}","status":"INVALID_ARGUMENT"}}}}'.encode()
    )
