"""The emulator without HTTP: a request in, a response (or a lost answer) out.

Order of work for an API request, as on a real front end plus the test faults:
count it, apply a queued fault or the configured latency, route it (404 if no
API serves the path), authenticate, check the query, run the handler; a
commit-then-fail fault then replaces the handler's answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from tuneops.emulator import control, gemini, storage, vertex
from tuneops.emulator.auth import check_gemini, check_vertex
from tuneops.emulator.config import EmulatorConfig
from tuneops.emulator.errors import ApiError, JsonObject, url_not_found
from tuneops.emulator.faults import Fault, FaultKind, fault_error
from tuneops.emulator.routing import Api, Call, Raw, Request, Route, Router
from tuneops.emulator.state import EmulatorState

log = logging.getLogger(__name__)

_VERTEX_VERSIONS = ("v1", "v1beta1")
_GEMINI_VERSIONS = ("v1", "v1beta")
_JOBS = "/{version}/projects/{project}/locations/{location}/tuningJobs"
_LIST = frozenset({"pageSize", "pageToken", "filter"})


def _routes() -> list[Route]:
    v, g = _VERTEX_VERSIONS, ("v1beta",)
    routes = [
        Route("POST", _JOBS, Api.VERTEX, vertex.create, v),
        Route("GET", _JOBS, Api.VERTEX, vertex.list_jobs, v, _LIST),
        Route("GET", _JOBS + "/{tuningJob}", Api.VERTEX, vertex.get, v),
        Route("POST", _JOBS + "/{tuningJob}:cancel", Api.VERTEX, vertex.cancel, v),
        Route(
            "POST",
            "/{version}/projects/{project}/locations/{location}/publishers/google/models/{model}"
            ":countTokens",
            Api.VERTEX,
            vertex.count_tokens,
            v,
        ),
        Route(
            "POST",
            "/{version}/projects/{project}/locations/{location}/endpoints/{endpoint}"
            ":generateContent",
            Api.VERTEX,
            vertex.generate_content,
            v,
        ),
        Route(
            "POST",
            "/{version}/tunedModels",
            Api.GEMINI,
            gemini.create,
            g,
            frozenset({"tunedModelId"}),
        ),
        Route("GET", "/{version}/tunedModels", Api.GEMINI, gemini.list_models, g, _LIST),
        Route("GET", "/{version}/tunedModels/{tunedModel}", Api.GEMINI, gemini.get, g),
        Route(
            "PATCH",
            "/{version}/tunedModels/{tunedModel}",
            Api.GEMINI,
            gemini.patch,
            g,
            frozenset({"updateMask"}),
        ),
        Route("DELETE", "/{version}/tunedModels/{tunedModel}", Api.GEMINI, gemini.delete, g),
        Route(
            "POST",
            "/{version}/tunedModels/{tunedModel}:generateContent",
            Api.GEMINI,
            gemini.generate_content,
            _GEMINI_VERSIONS,
        ),
        Route(
            "GET",
            "/{version}/tunedModels/{tunedModel}/operations/{operation}",
            Api.GEMINI,
            gemini.get_operation,
            _GEMINI_VERSIONS,
        ),
        Route(
            "GET",
            "/{version}/tunedModels/{tunedModel}/operations",
            Api.GEMINI,
            gemini.list_operations,
            _GEMINI_VERSIONS,
            _LIST,
        ),
    ]
    routes += storage.ROUTES
    routes += [Route(m, path, Api.CONTROL, handler) for m, path, handler in control.ROUTES]
    return routes


@dataclass(frozen=True, slots=True)
class Response:
    """An answer: a status, a JSON body and extra headers (or raw bytes instead)."""

    status: int
    body: JsonObject
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: Raw | None = None

    @classmethod
    def error(cls, error: ApiError) -> Response:
        """The error envelope of `error`."""
        return cls(error.http_status, error.body(), error.headers)


class Emulator:
    """Both APIs and the control API over one state."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.state = EmulatorState(config)
        self._router = Router(_routes())

    def close(self) -> None:
        """Releases the state (the SQLite connection)."""
        self.state.close()

    def handle(self, request: Request) -> Response | None:
        """Answers a request; None means the connection is dropped without an answer."""
        matched = self._router.match(request.method, request.path)
        if matched is not None and matched[0].api is Api.CONTROL:
            return self._run(request, *matched)
        if matched is not None:
            route, params = matched
            self.state.counts.add(route.count_key(params.get("version", "")))
        fault = self.state.faults.take(request.method, request.path)
        delay_ms = self.config.latency_ms
        if fault is not None and fault.kind is FaultKind.LATENCY:
            delay_ms += fault.latency_ms
        if delay_ms > 0:
            time.sleep(delay_ms / 1000)
        if fault is not None and fault.kind is FaultKind.DROP:
            return None
        if fault is not None and fault.kind is FaultKind.STATUS:
            return Response.error(fault_error(fault))
        if matched is None:
            return Response.error(url_not_found(request.path))
        response = self._run(request, *matched)
        return _after_commit(fault, response)

    def _run(self, request: Request, route: Route, params: dict[str, str]) -> Response:
        call = Call(request, route, params)
        try:
            if self.config.auth and route.api is Api.VERTEX:
                check_vertex(request)
            elif self.config.auth and route.api is Api.GEMINI:
                check_gemini(request, self.config.require_quota_project)
            route.check_query(request)
            result = route.handler(self.state, call)
            if isinstance(result, Raw):
                return Response(result.status, {}, result.headers, raw=result)
            return Response(200, result)
        except ApiError as error:
            return Response.error(error)
        except Exception:
            log.exception("emulator bug while answering %s %s", request.method, request.path)
            return Response.error(ApiError("INTERNAL", "Internal error encountered."))


def _after_commit(fault: Fault | None, response: Response) -> Response | None:
    """A commit-then-fail fault loses the answer of a request that was carried out."""
    if fault is None or fault.kind is not FaultKind.COMMIT_THEN_FAIL:
        return response
    return None if fault.drop else Response.error(fault_error(fault))
