"""Faults queued through the control API for the next N matching requests."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tuneops.emulator.errors import ApiError, error_for_http_status, invalid


class FaultKind(Enum):
    """What a fault does to the request it matches."""

    STATUS = "status"  # answer with an error instead of handling the request
    LATENCY = "latency"  # handle the request after a delay
    COMMIT_THEN_FAIL = "commit-then-fail"  # handle it, then lose the answer
    DROP = "drop"  # close the connection without handling it


@dataclass(slots=True)
class Fault:
    """One queued fault; `remaining` counts down as requests match it."""

    kind: FaultKind
    method: str | None
    path: re.Pattern[str] | None
    remaining: int
    status: int = 503
    retry_after: float | None = None
    latency_ms: float = 0.0
    drop: bool = False
    message: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """True if this fault applies to a request."""
        if self.method is not None and self.method != method:
            return False
        return self.path is None or self.path.search(path) is not None

    def to_json(self) -> dict[str, Any]:
        """The fault as the control API shows it."""
        data: dict[str, Any] = {"kind": self.kind.value, "count": self.remaining}
        if self.method is not None:
            data["method"] = self.method
        if self.path is not None:
            data["path"] = self.path.pattern
        if self.kind in (FaultKind.STATUS, FaultKind.COMMIT_THEN_FAIL):
            data["status"] = self.status
        if self.retry_after is not None:
            data["retryAfter"] = self.retry_after
        if self.kind is FaultKind.LATENCY:
            data["latencyMs"] = self.latency_ms
        if self.drop:
            data["drop"] = True
        return data


_KEYS = {"method", "path", "count", "kind", "status", "retryAfter", "latencyMs", "drop", "message"}


def parse_fault(body: dict[str, Any]) -> Fault:
    """Builds a fault from a control API request body, or raises a 400."""
    unknown = sorted(set(body) - _KEYS)
    if unknown:
        raise invalid(f"Unknown fault field(s): {', '.join(unknown)}.")
    try:
        kind = FaultKind(body.get("kind"))
    except ValueError:
        choices = ", ".join(k.value for k in FaultKind)
        raise invalid(f"fault kind must be one of {choices}; got {body.get('kind')!r}.") from None
    method = body.get("method")
    if method is not None and not isinstance(method, str):
        raise invalid("fault method must be a string such as 'POST'.")
    count = body.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise invalid(f"fault count must be an integer >= 1; got {count!r}.")
    fault = Fault(kind, method.upper() if method else None, _pattern(body.get("path")), count)
    fault.status = _number(body, "status", 503, int)
    if not 400 <= fault.status <= 599:
        raise invalid(f"fault status must be an HTTP error status (400-599); got {fault.status}.")
    retry_after = body.get("retryAfter")
    fault.retry_after = None if retry_after is None else _number(body, "retryAfter", 0, float)
    fault.latency_ms = _number(body, "latencyMs", 0, float)
    if kind is FaultKind.LATENCY and "latencyMs" not in body:
        raise invalid("a latency fault needs latencyMs.")
    drop = body.get("drop", False)
    if not isinstance(drop, bool):
        raise invalid("fault drop must be true or false.")
    fault.drop = drop
    message = body.get("message")
    if message is not None and not isinstance(message, str):
        raise invalid("fault message must be a string.")
    fault.message = message
    return fault


def _pattern(path: object) -> re.Pattern[str] | None:
    if path is None:
        return None
    if not isinstance(path, str):
        raise invalid("fault path must be a regular expression string.")
    try:
        return re.compile(path)
    except re.error as error:
        raise invalid(f"fault path is not a valid regular expression: {error}.") from None


# A day: longer delays are a typo or an attack, and time.sleep overflows on 1e308.
_MAX_FAULT_NUMBER = 86_400_000


def _number(body: dict[str, Any], key: str, default: float, kind: type[Any]) -> Any:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise invalid(f"fault {key} must be a number >= 0; got {value!r}.")
    if not value <= _MAX_FAULT_NUMBER:  # also false for NaN
        raise invalid(f"fault {key} must be at most {_MAX_FAULT_NUMBER}; got {value!r}.")
    if kind is int and not float(value).is_integer():
        raise invalid(f"fault {key} must be an integer; got {value!r}.")
    return kind(value)


class FaultQueue:
    """The pending faults, consumed in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Queues a fault."""
        with self._lock:
            self._faults.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching a request, counted down; None if none matches."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """The queued faults as JSON."""
        with self._lock:
            return [fault.to_json() for fault in self._faults]

    def clear(self) -> None:
        """Drops every queued fault."""
        with self._lock:
            self._faults.clear()


def fault_error(fault: Fault) -> ApiError:
    """The error answer of a status or commit-then-fail fault."""
    headers = {}
    if fault.retry_after is not None:
        seconds = fault.retry_after
        headers["Retry-After"] = str(int(seconds)) if float(seconds).is_integer() else str(seconds)
    return error_for_http_status(fault.status, fault.message, headers)
