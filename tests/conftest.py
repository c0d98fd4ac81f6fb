"""Shared fixtures: the network is closed in every test; emulators on demand.

Sockets may connect to loopback (and Unix sockets) only, so a test that would
reach Google fails loudly instead of passing or hanging on a developer's machine.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests.hostile import HostileServer, hostile_server
from tuneops.emulator import EmulatorConfig, EmulatorHandle, start_emulator


class NetworkBlockedError(RuntimeError):
    """A test tried to open a connection that leaves this machine."""


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket path
    host = str(address[0]).split("%", 1)[0]
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # a host name other than localhost would need the network
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails every socket connect to a non-loopback address."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise NetworkBlockedError(f"tests may not use the network (connect to {address!r})")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


EmulatorFactory = Callable[..., EmulatorHandle]

# Today's Gemini API tunes no model, and the emulator answers so by default. Tests
# of the full Gemini tuning flow (seed 003: the service as it was until 2025) are
# marked with this, and their emulators tune on the Gemini API again.
GEMINI_TUNING_MARK = "gemini_tuning_available"


def pytest_configure(config: pytest.Config) -> None:
    """Registers the marks these fixtures read."""
    config.addinivalue_line(
        "markers",
        f"{GEMINI_TUNING_MARK}: the test's emulators tune models on the Gemini API, "
        "as the service did until 2025 (`--gemini-tuning available`)",
    )


@pytest.fixture
def emulator_factory(request: pytest.FixtureRequest) -> Iterator[EmulatorFactory]:
    """Starts emulators with `EmulatorConfig` overrides; all stop when the test ends.

    Defaults differ from EmulatorConfig's in one way: the clock is frozen, so jobs
    move only when the test calls `handle.advance(seconds)` (or forces them). A
    test marked `gemini_tuning_available` gets emulators whose Gemini API tunes.
    """
    defaults: dict[str, Any] = {"frozen_clock": True}
    if request.node.get_closest_marker(GEMINI_TUNING_MARK) is not None:
        defaults["gemini_tuning"] = "available"
    with ExitStack() as stack:

        def start(**overrides: Any) -> EmulatorHandle:
            config = EmulatorConfig(**{**defaults, **overrides})
            return stack.enter_context(start_emulator(config))

        yield start


@pytest.fixture
def emulator(emulator_factory: EmulatorFactory) -> EmulatorHandle:
    """A running emulator on 127.0.0.1 with a frozen clock and auth on; `.url` is its base."""
    return emulator_factory()


@pytest.fixture
def hostile(emulator: EmulatorHandle) -> Iterator[HostileServer]:
    """A hostile server in front of the emulator: answers rewritten, dripped or cut."""
    with hostile_server(emulator.url) as server:
        yield server
