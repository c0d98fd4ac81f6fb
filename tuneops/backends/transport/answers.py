"""Reading an HTTP answer within bounds, and making a service's words safe to show.

Also `Retry-After`, bounded: a server cannot make a client sleep forever.

An answer is read a socket read at a time, against a total deadline and a size
limit, so that a server dripping one byte at a time or sending gigabytes can
neither hang nor flood a run.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
from collections.abc import Callable
from typing import Any

import requests
import urllib3.exceptions

from tuneops.backends.transport.redact import redact
from tuneops.backends.transport.untrusted import one_line
from tuneops.server_text import LIMIT as MESSAGE_LIMIT

# The largest answer read: a page of 1000 jobs is a few MB; an error body only
# needs its message. More is a broken or hostile server.
MAX_ANSWER_BYTES = 32 * 1024 * 1024
MAX_ERROR_BYTES = 64 * 1024
_CHUNK = 64 * 1024


def read_answer(
    response: requests.Response, deadline: float, monotonic: Callable[[], float]
) -> bytes:
    """The body, read a socket read at a time, within `deadline` and a size limit."""
    limit = MAX_ANSWER_BYTES if response.status_code < 400 else MAX_ERROR_BYTES
    chunks: list[bytes] = []
    size = 0
    while True:
        if monotonic() > deadline:
            raise AnswerTooSlowError()
        try:
            chunk = response.raw.read1(_CHUNK, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(exc) from None
        except urllib3.exceptions.HTTPError as exc:
            raise requests.exceptions.ConnectionError(exc) from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            if response.status_code >= 400:
                # The head of an error body is enough to say what went wrong.
                chunks.append(chunk)
                return b"".join(chunks)[:limit]
            raise AnswerTooLargeError(limit)
        chunks.append(chunk)


def server_text(text: str) -> str:
    """A service's message as one short, escaped line, secrets masked.

    Redacted before it is cut, on a bounded head: a 100 MB message costs nothing,
    and a secret cut in half cannot show its first half.
    """
    return one_line(redact(text[: MESSAGE_LIMIT * 16]), whole=len(text))


_HEAD_FIELD = r'"{}"\s*:\s*"((?:[^"\\]|\\.)*)'


def fields_from_head(text: str) -> tuple[str | None, str | None]:
    """(status, message) read from the head of a Google error envelope that is cut off."""
    found: list[str | None] = []
    for key in ("status", "message"):
        match = re.search(_HEAD_FIELD.format(key), text)
        try:
            found.append(json.loads(f'"{match[1]}"') if match else None)
        except ValueError:
            found.append(None)
    status, message = found
    if status is not None and not re.fullmatch(r"[A-Z][A-Z_]{0,39}", status):
        status = None
    return status, message


class AnswerTooSlowError(Exception):
    """The answer did not arrive in full before the attempt's deadline."""


class AnswerTooLargeError(Exception):
    """The answer is larger than anything a real service sends."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def parse_json(content: bytes) -> Any:
    """The JSON value of an answer; ValueError (or RecursionError) when it is not JSON.

    NaN and Infinity are refused: a service that sends them is broken.
    """
    return json.loads(content, parse_constant=_refuse)


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


# Longer than any retry deadline; a server asking for more (or for 1e308 s,
# which no sleep accepts) gets this.
MAX_RETRY_AFTER = 3600.0


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date), at most
    `MAX_RETRY_AFTER`; None when absent or not a number or date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, OverflowError):
            return None
    if math.isnan(seconds):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))
