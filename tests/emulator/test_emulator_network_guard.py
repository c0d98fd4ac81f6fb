"""The autouse guard in tests/conftest.py: loopback only, everything else fails loudly."""

from __future__ import annotations

import socket

import pytest
import requests

from tuneops.emulator import EmulatorHandle


@pytest.mark.parametrize("address", [("8.8.8.8", 443), ("2001:4860:4860::8888", 443, 0, 0)])
def test_connects_off_this_machine_are_refused(address: tuple[object, ...]) -> None:
    family = socket.AF_INET6 if ":" in str(address[0]) else socket.AF_INET
    with socket.socket(family) as sock, pytest.raises(RuntimeError) as raised:
        sock.connect(address)
    assert str(raised.value) == f"tests may not use the network (connect to {address!r})"


def test_http_clients_cannot_reach_google() -> None:
    with pytest.raises(RuntimeError, match="tests may not use the network"):
        requests.get("https://142.250.0.1/", timeout=1)


def test_loopback_is_allowed(emulator: EmulatorHandle) -> None:
    for host in ("127.0.0.1", "localhost"):
        with socket.create_connection((host, emulator.port), timeout=2):
            pass
