"""A loopback endpoint where nothing listens: one attempt, and an error that names the emulator."""

from __future__ import annotations

import socket

import pytest

from tests.backends.support import TOKEN, FakeClock
from tuneops.backends.construction import build_backend
from tuneops.backends.transport.local_endpoint import EmulatorNotRunningError, loopback_address
from tuneops.specs.kinds import BackendKind as Kind


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("http://127.0.0.2:8080/v1/x", ("127.0.0.2", 8080)),
        ("http://[::1]:9000", ("::1", 9000)),
        ("http://localhost", ("localhost", 80)),
        ("https://LOCALHOST", ("localhost", 443)),
        ("https://{location}-aiplatform.googleapis.com", None),
        ("http://10.0.0.1:8080", None),
        ("http://emulator:8080", None),
    ],
)
def test_loopback_addresses_are_recognised(url: str, address: tuple[str, int] | None) -> None:
    assert loopback_address(url) == address


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_refused_loopback_connection_is_tried_once() -> None:
    clock = FakeClock()
    port = _closed_port()
    backend = build_backend(
        Kind.VERTEX, env={}, access_token=TOKEN, endpoint=f"http://127.0.0.1:{port}", clock=clock
    )
    with pytest.raises(EmulatorNotRunningError) as caught:
        backend.list_jobs("prod", "acme-ml", "us-central1")
    assert caught.value.attempt == 1 and clock.sleeps == []
    assert str(caught.value) == (
        f"nothing listens at http://127.0.0.1:{port}, so the tuneops emulator is not running: "
        f"start it with `tuneops emulator --port {port}`, or set `endpoint: embedded` in "
        "tuneops.yaml to run it inside tuneops"
    )


def test_an_ipv6_loopback_names_the_host_to_start_on() -> None:
    error = EmulatorNotRunningError("http://[::1]:9000/v1/projects/p", method="GET")
    assert str(error) == (
        "nothing listens at http://[::1]:9000, so the tuneops emulator is not running: start "
        "it with `tuneops emulator --host ::1 --port 9000`, or set `endpoint: embedded` in "
        "tuneops.yaml to run it inside tuneops"
    )
