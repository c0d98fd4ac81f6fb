"""Fixtures for the backend tests: backends on a fake clock against the emulator.

Every test here also proves that no credential leaks: all captured output and
every log record (root logger at DEBUG, so urllib3 and our own debug lines are
produced) is searched for the test token and key after the test.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.backends.support import API_KEY, TOKEN, FakeClock
from tuneops.backends.construction import BackendOptions, build_backend
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.transport.http import RetryPolicy, Timeouts, TransportOptions
from tuneops.backends.transport.pacing import RateLimit
from tuneops.emulator import EmulatorHandle
from tuneops.specs.kinds import BackendKind as Kind

# Pacing is tested on its own; elsewhere it would only add fake sleeps to assert around.
UNLIMITED = RateLimit(per_minute=1e9, burst=1_000_000)


class Control:
    """The emulator's control API, over HTTP as a test client sees it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._session = requests.Session()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._session.post(f"{self.url}/_emulator/{path}", json=body or {})
        response.raise_for_status()
        return response.json()

    def fault(self, **fault: Any) -> None:
        """Queues a fault (method, path, count, kind, status, retryAfter, latencyMs, drop)."""
        self._post("faults", fault)

    def clear_faults(self) -> None:
        self._session.delete(f"{self.url}/_emulator/faults").raise_for_status()

    def advance(self, seconds: float) -> None:
        self._post("clock:advance", {"seconds": seconds})

    def force(self, name: str, outcome: str) -> Any:
        return self._post("jobs:force", {"name": name, "outcome": outcome})

    def counts(self) -> dict[str, int]:
        """Requests per `METHOD /version/template` since the last `clear_counts`."""
        response = self._session.get(f"{self.url}/_emulator/requests")
        response.raise_for_status()
        return dict(response.json()["counts"])

    def clear_counts(self) -> None:
        self._session.delete(f"{self.url}/_emulator/requests").raise_for_status()

    def close(self) -> None:
        self._session.close()


@pytest.fixture(autouse=True)
def _no_secret_in_output(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    captured = capsys.readouterr()
    records = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.get_records("call"))
    for text in (captured.out, captured.err, caplog.text, records):
        assert TOKEN not in text
        assert API_KEY not in text


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def control(emulator: EmulatorHandle) -> Iterator[Control]:
    handle = Control(emulator.url)
    yield handle
    handle.close()


def options(
    *,
    page_size: int | None = None,
    max_attempts: int = 5,
    deadline: float = 600.0,
    read_timeout: float = 10.0,
    requests_limit: RateLimit = UNLIMITED,
    submissions_limit: RateLimit = UNLIMITED,
) -> BackendOptions:
    """Backend options for tests: no pacing unless asked, generous deadline."""
    return BackendOptions(
        transport=TransportOptions(
            timeouts=Timeouts(connect=2.0, read=read_timeout),
            retry=RetryPolicy(max_attempts=max_attempts, deadline=deadline),
        ),
        page_size=page_size,
        requests_limit=requests_limit,
        submissions_limit=submissions_limit,
    )


BackendFactory = Callable[..., Backend]


@pytest.fixture
def make_backend(emulator: EmulatorHandle, clock: FakeClock) -> Iterator[BackendFactory]:
    """Builds backends on the emulator with the test token/key and the fake clock."""
    built: list[Backend] = []

    def make(kind: Kind, **overrides: Any) -> Backend:
        kwargs: dict[str, Any] = {
            "env": {},
            "endpoint": emulator.url,
            "clock": clock,
            "rng": random.Random(1234),
            "options": options(),
        }
        if kind is Kind.VERTEX:
            kwargs["access_token"] = TOKEN
        else:
            kwargs["api_key"] = API_KEY
        kwargs.update(overrides)
        backend = build_backend(kind, **kwargs)
        built.append(backend)
        return backend

    yield make
    for backend in built:
        backend.close()


@pytest.fixture
def vertex(make_backend: BackendFactory) -> Backend:
    return make_backend(Kind.VERTEX)


@pytest.fixture
def gemini(make_backend: BackendFactory) -> Backend:
    return make_backend(Kind.GEMINI)
