"""Reading the JSON both APIs share: timestamps, nested fields, pagination."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tuneops.backends.transport.errors import InvalidResponseError
from tuneops.backends.transport.http import JsonObject, Transport
from tuneops.backends.transport.pacing import RateLimiter

# RFC 3339 as Google writes it: 0 to 9 fractional digits, `Z` or an offset.
_TIMESTAMP = re.compile(
    r"(?P<base>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d{1,9}))?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})",
    re.IGNORECASE,
)


def parse_timestamp(value: Any) -> dt.datetime | None:
    """A UTC datetime from an RFC 3339 string (nanoseconds truncated); None if absent."""
    if not isinstance(value, str) or not value:
        return None
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        raise InvalidResponseError(f"not an RFC 3339 timestamp: {value!r}")
    zone = match["zone"].upper()
    micros = (match["frac"] or "").ljust(6, "0")[:6]
    parsed = dt.datetime.fromisoformat(
        f"{match['base']}.{micros}{'+00:00' if zone == 'Z' else zone}"
    )
    return parsed.astimezone(dt.timezone.utc)


def field(data: Mapping[str, Any], *path: str) -> str | None:
    """The string at `path` inside nested objects, or None when any step is missing."""
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value if isinstance(value, str) and value else None


def number(data: Mapping[str, Any], *path: str) -> float | None:
    """The number at `path` (JSON number or int64-as-string), or None."""
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


_MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True, slots=True)
class ListingBounds:
    """How long one listing may go on: pages and seconds (every page and its retries).

    A listing longer than this is a server that never stops (a fresh token on
    every page, or pages dripped slowly), not a project: 2000 pages of 1000 jobs
    is two million jobs.
    """

    max_pages: int = 2000
    # As timeouts.listing (tuneops.yaml): 20 pages of 1000 jobs (a 20,000-job
    # stack) take a few seconds; raise both for a larger stack or a slow link.
    max_seconds: float = 120.0


LISTING_BOUNDS = ListingBounds()


def pages(
    transport: Transport,
    url: str,
    items_key: str,
    params: Mapping[str, str | int],
    limiters: Sequence[RateLimiter],
    bounds: ListingBounds = LISTING_BOUNDS,
) -> Iterator[JsonObject]:
    """Every item of a paginated list, following `nextPageToken` to the last page.

    Each page is fetched with retries; any failure propagates, so a caller that
    consumes the iterator fully has either every item or an exception. A
    listing that makes no progress fails at once: a repeated token, or a page
    that brings no item not listed before yet names a next page (AIP-158 lets a
    page be short, even empty; a server that does so page after page, or repeats
    its items, is a listing that never ends). A listing beyond `bounds` fails too.
    """
    token: str | None = None
    seen: set[str] = set()
    names: set[str] = set()
    deadline = transport.clock.monotonic() + bounds.max_seconds
    for page in range(1, bounds.max_pages + 1):
        if transport.clock.monotonic() > deadline:
            raise InvalidResponseError(
                f"the listing did not end within {bounds.max_seconds:g} s; "
                "no partial listing is used",
                method="GET",
                url=url,
            )
        query = dict(params)
        if token:
            query["pageToken"] = token
        data = transport.request("GET", url, params=query, idempotent=True, limiters=limiters)
        items = data.get(items_key, [])
        if not isinstance(items, list):
            raise InvalidResponseError(f"{items_key!r} is not a list", method="GET", url=url)
        progress = False
        for item in items:
            if not isinstance(item, dict):
                raise InvalidResponseError(f"an item of {items_key!r} is not an object")
            name = item.get("name")
            if not isinstance(name, str) or name not in names:
                progress = True  # an item without a name fails its shape check
                if isinstance(name, str):
                    names.add(name)
            yield item
        token = data.get("nextPageToken") or None
        if token is None:
            return
        if not progress:
            raise InvalidResponseError(
                f"page {page} brought no new job but a next page token: the listing makes "
                "no progress; no partial listing is used",
                method="GET",
                url=url,
            )
        if not isinstance(token, str) or len(token) > _MAX_TOKEN_LENGTH:
            raise InvalidResponseError("nextPageToken is not a string", method="GET", url=url)
        if token in seen:
            # A repeated token would loop forever; better to fail the listing.
            raise InvalidResponseError(f"page token {token!r} repeated", method="GET", url=url)
        seen.add(token)
    raise InvalidResponseError(
        f"the listing did not end after {bounds.max_pages} pages (the server keeps sending "
        "nextPageToken); no partial listing is used",
        method="GET",
        url=url,
    )


def integer(data: Mapping[str, Any], *path: str) -> int | None:
    """The whole number at `path` (int64 fields come as JSON strings), or None."""
    value = number(data, *path)
    return int(value) if value is not None and value.is_integer() else None
