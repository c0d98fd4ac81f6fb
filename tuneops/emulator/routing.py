"""Requests, routes and the route table lookup.

A route is a method plus a path template such as
`/{version}/projects/{project}/locations/{location}/tuningJobs/{tuningJob}:cancel`;
request counts are keyed by the template with the version the client called.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from tuneops.emulator.errors import JsonObject, bad_request_detail, invalid
from tuneops.emulator.protojson import snake_case

if TYPE_CHECKING:
    from tuneops.emulator.state import EmulatorState

# Standard system parameters every Google API accepts in the query string.
SYSTEM_PARAMETERS = frozenset(
    {
        "key",
        "alt",
        "$alt",
        "fields",
        "prettyPrint",
        "quotaUser",
        "access_token",
        "oauth_token",
        "callback",
        "upload_protocol",
        "uploadType",
        "$.xgafv",
        "userIp",
    }
)


class Api(Enum):
    """Which surface a route belongs to (decides authentication and counting)."""

    VERTEX = "vertex"
    GEMINI = "gemini"
    STORAGE = "storage"
    CONTROL = "control"


@dataclass(frozen=True, slots=True)
class Raw:
    """An answer that is not JSON: object media, or an empty 204."""

    status: int
    data: bytes
    content_type: str = "application/octet-stream"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Request:
    """An HTTP request as the handlers see it; header names are lower case."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Call:
    """A request matched to a route, with the values of the path placeholders."""

    request: Request
    route: Route
    params: Mapping[str, str]

    @property
    def version(self) -> str:
        """The API version in the path (`v1`, `v1beta1`, `v1beta`)."""
        return self.params.get("version", "")

    def query(self, name: str) -> str | None:
        """A query parameter by its JSON name or its snake_case name; last one wins."""
        for key in (name, snake_case(name)):
            values = self.request.query.get(key)
            if values:
                return values[-1]
        return None

    def query_int(self, name: str) -> int | None:
        """An int32 query parameter, or a 400 naming it."""
        text = self.query(name)
        if text is None or text == "":
            return None
        if not re.fullmatch(r"-?\d+", text) or not -(2**31) <= int(text) < 2**31:
            path = snake_case(name)
            message = f"Invalid value at '{path}' (TYPE_INT32), \"{text}\""
            raise invalid(message, details=[bad_request_detail(path, message)])
        return int(text)


Handler = Callable[["EmulatorState", Call], JsonObject | Raw]


@dataclass(frozen=True, slots=True)
class Route:
    """One method and path template served by a handler."""

    method: str
    template: str
    api: Api
    handler: Handler
    versions: tuple[str, ...] = ()
    query: frozenset[str] = frozenset()
    pattern: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", _compile(self.template, self.versions))

    def count_key(self, version: str) -> str:
        """`METHOD /v1/projects/{project}/...`: the template with the called version."""
        return f"{self.method} {self.template.replace('{version}', version)}"

    def check_query(self, request: Request) -> None:
        """Rejects query parameters the method does not have, as Google does."""
        allowed = self.query | {snake_case(name) for name in self.query} | SYSTEM_PARAMETERS
        for name in request.query:
            if name not in allowed:
                raise invalid(
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query'
                    f" parameter. Field '{name}' could not be found in request message."
                )


def _compile(template: str, versions: tuple[str, ...]) -> re.Pattern[str]:
    parts: list[str] = []
    for literal, name in re.findall(r"([^{]*)(?:\{(\w+)\})?", template):
        parts.append(re.escape(literal))
        if name == "version":
            parts.append("(?P<version>" + "|".join(re.escape(v) for v in versions) + ")")
        elif name == "object":
            # Cloud Storage object names hold '/' and ':'; the path is already unquoted.
            parts.append("(?P<object>.+)")
        elif name:
            parts.append(f"(?P<{name}>[^/:]+)")
    return re.compile("".join(parts))


class Router:
    """Finds the route for a request."""

    def __init__(self, routes: list[Route]) -> None:
        self._routes = routes

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route and placeholder values for a request; None if nothing serves it."""
        for route in self._routes:
            if route.method != method:
                continue
            found = route.pattern.fullmatch(path)
            if found is not None:
                return route, found.groupdict()
        return None
