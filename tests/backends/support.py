"""Test doubles and builders for the backend tests: a fake clock and real JobSpecs."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import google.auth.credentials

from tuneops.diagnostics import Location
from tuneops.specs.hashing import canonical_spec, spec_hash
from tuneops.specs.models import Example, GeminiSpec, JobSpec, VertexSpec

TOKEN = "ya29.test-token-7f3c9e1d2b"
API_KEY = "AIzaSyTEST-key-0123456789abcdef"


class FakeClock:
    """A clock that only moves when slept on (or advanced); records every sleep."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._lock = threading.Lock()
        self._now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


def vertex_job(
    name: str = "support-bot",
    project: str = "acme-ml",
    location: str = "us-central1",
    protect: bool = False,
    **fields: Any,
) -> JobSpec:
    """A resolved Vertex AI JobSpec, hashed like the loader does."""
    data: dict[str, Any] = {
        "project": project,
        "location": location,
        "baseModel": "gemini-3.5-flash",
        "trainingDataset": "gs://acme-tuning/support/train.jsonl",
        "protect": protect,
        **fields,
    }
    spec = VertexSpec.model_validate(data)
    canonical = canonical_spec(spec, ())
    return JobSpec(
        name=name,
        labels={},
        spec=spec,
        examples=(),
        canonical=canonical,
        spec_hash=spec_hash(canonical),
        source=Location(f"specs/{name}.yaml", 1, 1),
    )


def gemini_job(
    name: str = "roman-numerals", protect: bool = False, count: int = 3, **fields: Any
) -> JobSpec:
    """A resolved Gemini API JobSpec with `count` inline examples."""
    examples = tuple(Example(text_input=str(i), output=str(i + 1)) for i in range(count))
    data: dict[str, Any] = {
        "backend": "gemini",
        "baseModel": "models/gemini-1.5-flash-001-tuning",
        "trainingData": {"examples": [e.model_dump(by_alias=True) for e in examples]},
        "protect": protect,
        **fields,
    }
    spec = GeminiSpec.model_validate(data)
    canonical = canonical_spec(spec, examples)
    return JobSpec(
        name=name,
        labels={},
        spec=spec,
        examples=examples,
        canonical=canonical,
        spec_hash=spec_hash(canonical),
        source=Location(f"specs/{name}.yaml", 1, 1),
    )


class CountingCredentials(google.auth.credentials.Credentials):
    """google-auth credentials whose refresh mints `TOKEN-n` and counts the calls.

    Nothing goes over the network: refresh only makes the next token, valid for
    `lifetime` seconds of the given clock.
    """

    def __init__(self, clock: FakeClock, lifetime: float = 3600.0, initial: bool = True) -> None:
        super().__init__()
        self._clock = clock
        self._lifetime = lifetime
        self.refreshes = 0
        if initial:
            self._mint()

    def refresh(self, request: Any) -> None:
        self.refreshes += 1
        self._mint()

    def _mint(self) -> None:
        self.token = f"{TOKEN}-{self.refreshes}"
        expiry = dt.datetime.fromtimestamp(self._clock.time() + self._lifetime, dt.timezone.utc)
        self.expiry = expiry.replace(tzinfo=None)  # google-auth keeps naive UTC
