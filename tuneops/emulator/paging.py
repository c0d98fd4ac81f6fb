"""List pagination: page sizes and opaque page tokens.

A token records the position (create time, sequence number) of the last job on
the page, so jobs created between two page requests neither repeat nor shift
the pages, and a hash of the request, so a token is refused when the filter or
parent changed (AIP-158).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from tuneops.emulator.errors import invalid
from tuneops.emulator.store import JobRecord

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageSize:
    """The default and the maximum page size of one list method."""

    default: int
    maximum: int

    def resolve(self, requested: int | None) -> int:
        """The page size to use: 0 or absent means default, larger values are clamped."""
        if requested is None or requested == 0:
            return self.default
        if requested < 0:
            raise invalid(f"page_size must not be negative, got {requested}.")
        return min(requested, self.maximum)


def _fingerprint(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:12]


def encode_token(record: JobRecord, scope: str) -> str:
    """The token for the page after `record`."""
    data = {"p": [record.create_us, record.seq], "s": _fingerprint(scope)}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, scope: str) -> tuple[int, int] | None:
    """The position a token continues from; None for no token; a 400 for a bad one."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        create_us, seq = data["p"]
        fingerprint = data["s"]
        if not (isinstance(create_us, int) and isinstance(seq, int)):
            raise ValueError("bad position")
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise invalid(f"Invalid page token: {token}.") from None
    if fingerprint != _fingerprint(scope):
        raise invalid("The page token does not belong to this list request (parent or filter).")
    return create_us, seq


def take_page(
    records: Iterable[JobRecord],
    keep: Callable[[JobRecord], T | None],
    size: int,
    scope: str,
) -> tuple[list[T], str | None]:
    """Up to `size` kept items and the next token, or None when nothing follows.

    One item past the page is looked at, so a full last page gets no token and
    an empty page never does.
    """
    page: list[T] = []
    last: JobRecord | None = None
    for record in records:
        item = keep(record)
        if item is None:
            continue
        if len(page) == size:
            assert last is not None
            return page, encode_token(last, scope)
        page.append(item)
        last = record
    return page, None
