"""The Gemini API backend: `tunedModels`, REST v1beta."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from tuneops.backends.gemini.request import build_body
from tuneops.backends.gemini.shapes import GEMINI_MODEL_NAME, check_gemini_model
from tuneops.backends.gemini.view import gemini_view
from tuneops.backends.shared import identity as ident
from tuneops.backends.shared.generation import generate_body, response_text
from tuneops.backends.shared.wire import (
    LISTING_BOUNDS,
    ListingBounds,
    field,
    integer,
    number,
    pages,
    parse_timestamp,
)
from tuneops.backends.transport.clock import Clock
from tuneops.backends.transport.errors import (
    AlreadyExistsError,
    InvalidRequestError,
    InvalidResponseError,
    NotFoundError,
    UnsupportedOperationError,
)
from tuneops.backends.transport.http import Transport
from tuneops.backends.transport.pacing import RateLimit, RateLimiter
from tuneops.backends.transport.untrusted import one_line
from tuneops.core.jobs import Capabilities, RemoteJob
from tuneops.specs.kinds import BackendKind, JobState
from tuneops.specs.models import JobSpec

log = logging.getLogger("tuneops.backends")

DEFAULT_ENDPOINT = "https://generativelanguage.googleapis.com"
API_VERSION = "v1beta"
PAGE_SIZE = 1000  # the documented maximum for tunedModels.list

# The Gemini API publishes no quota for tunedModels calls (only per-model
# generation limits), and it is one global service, not one per region as
# Vertex is: pace it well below Vertex's 600/60, and let a 429 slow it further.
GEMINI_REQUESTS = RateLimit(per_minute=110, burst=10)
GEMINI_SUBMISSIONS = RateLimit(per_minute=20, burst=5, min_per_minute=1)

STATES: Mapping[str, JobState] = MappingProxyType(
    {
        "CREATING": JobState.RUNNING,
        "ACTIVE": JobState.SUCCEEDED,
        "FAILED": JobState.FAILED,
    }
)


class GeminiBackend:
    """Gemini API tuned models. Thread-safe; one global pair of rate limits."""

    kind = BackendKind.GEMINI
    capabilities = Capabilities(client_chosen_ids=True, labels=False, cancel=False, delete=True)

    def __init__(
        self,
        transport: Transport,
        clock: Clock,
        endpoint: str = DEFAULT_ENDPOINT,
        page_size: int = PAGE_SIZE,
        listing: ListingBounds = LISTING_BOUNDS,
        requests_limit: RateLimit = GEMINI_REQUESTS,
        submissions_limit: RateLimit = GEMINI_SUBMISSIONS,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.page_size = page_size
        self.listing = listing
        self._transport = transport
        self._requests = RateLimiter(requests_limit, clock)
        self._submissions = RateLimiter(submissions_limit, clock)
        self._lock = threading.Lock()
        # Create operations seen by this process, by model name, to read progress.
        self._operations: dict[str, str] = {}

    @property
    def _base(self) -> str:
        return f"{self.endpoint}/{API_VERSION}"

    def list_jobs(
        self, stack: str, project: str | None = None, location: str | None = None
    ) -> list[RemoteJob]:
        """Every tuned model whose marker names `stack` (all pages; project/location unused).

        The API cannot filter by our marker, so every page of the caller's models
        is read and the stack's kept.
        """
        ident.check_stack(stack)
        items = pages(
            self._transport,
            f"{self._base}/tunedModels",
            "tunedModels",
            {"pageSize": self.page_size},
            (self._requests,),
            self.listing,
        )
        jobs = [self._job(item) for item in items]
        return [job for job in jobs if job.stack == stack]

    def get(self, name: str) -> RemoteJob:
        """The tuned model `name` (`tunedModels/ID`), with what its create operation adds.

        The model itself carries neither progress nor an error: while it trains,
        the operation's `completedPercent` is the progress; when it failed, the
        operation's `error` says why.
        """
        name = _model_name(name)
        job = self._get_model(name)
        if job.state in (JobState.RUNNING, JobState.FAILED):
            operation = self._operation(name)
            if operation is not None:
                job = _with_operation(job, operation)
        return job

    def describe(self, name: str) -> dict[str, Any]:
        """The model's settings in spec terms (its training data cannot be read back)."""
        data = self._transport.request(
            "GET", f"{self._base}/{_model_name(name)}", idempotent=True, limiters=(self._requests,)
        )
        return gemini_view(data)

    def create(self, job: JobSpec, stack: str) -> RemoteJob:
        """Creates the tuned model `{name}-{hash8}`; a 409 for a model of ours is the same job.

        The client-chosen id makes the create idempotent, so it is retried like a
        read; a retry whose first attempt went through gets the 409.
        """
        identity = ident.identity_for(job, stack)
        model_id = ident.gemini_model_id(identity)
        name = f"tunedModels/{model_id}"
        body = build_body(job, identity)
        try:
            operation = self._transport.request(
                "POST",
                f"{self._base}/tunedModels",
                params={"tunedModelId": model_id},
                body=body,
                idempotent=True,
                limiters=(self._requests, self._submissions),
            )
        except AlreadyExistsError as error:
            existing = self.get(name)
            if (existing.stack, existing.spec_name, existing.spec_hash) != (
                stack,
                job.name,
                identity.hash,
            ):
                raise AlreadyExistsError(
                    f"{name} exists but is not the model of spec {job.name!r} in stack "
                    f"{stack!r} with hash {identity.hash}; delete or rename it",
                    method=error.method,
                    url=error.url,
                    http_status=error.http_status,
                    rpc_status=error.rpc_status,
                ) from None
            log.info("create of %r: %s already exists, adopting it", job.name, name)
            return existing
        created = field(operation, "metadata", "tunedModel") or name
        if created != name:
            raise InvalidResponseError(f"asked for {name}, the service made {created}")
        operation_name = field(operation, "name")
        if operation_name:
            with self._lock:
                self._operations[name] = operation_name
        result = self._get_model(name)
        if (result.name, result.stack, result.spec_name, result.spec_hash) != (
            name,
            stack,
            job.name,
            identity.hash,
        ):
            raise InvalidResponseError(
                f"created {name}, but the service answers with a model that is not the one "
                f"of spec {job.name!r} in stack {stack!r}; nothing was recorded"
            )
        if result.state is JobState.RUNNING:
            percent = number(operation, "metadata", "completedPercent")
            result = _replace_progress(result, percent or 0.0)
        return result

    def cancel(self, name: str) -> None:
        """The Gemini API cannot cancel tuning; always raises."""
        raise UnsupportedOperationError(
            f"cannot cancel {name}: the Gemini API has no cancel for tuning; "
            "delete the tuned model instead"
        )

    def delete(self, name: str) -> None:
        """Deletes the tuned model; a retry that finds it gone counts as done."""
        name = _model_name(name)
        try:
            self._transport.request(
                "DELETE", f"{self._base}/{name}", idempotent=True, limiters=(self._requests,)
            )
        except NotFoundError as error:
            # Gone on a retry means the first attempt deleted it and its answer was lost.
            if error.attempt <= 1:
                raise
        with self._lock:
            self._operations.pop(name, None)

    def generate(self, name_or_endpoint: str, prompt: str) -> str:
        """The tuned model's answer to `prompt`."""
        name = _model_name(name_or_endpoint)
        data = self._transport.request(
            "POST",
            f"{self._base}/{name}:generateContent",
            body=generate_body(prompt),
            idempotent=True,  # no side effect: repeating it only costs tokens
            limiters=(self._requests,),
        )
        return response_text(data)

    def close(self) -> None:
        """Closes the transport's connections."""
        self._transport.close()

    def _get_model(self, name: str) -> RemoteJob:
        data = self._transport.request(
            "GET", f"{self._base}/{name}", idempotent=True, limiters=(self._requests,)
        )
        return self._job(data)

    def _operation(self, name: str) -> Mapping[str, Any] | None:
        """The model's create operation: one extra call, made by `get` only."""
        with self._lock:
            operation = self._operations.get(name)
        if operation is not None:
            return self._transport.request(
                "GET", f"{self._base}/{operation}", idempotent=True, limiters=(self._requests,)
            )
        # Another process made the model: find its create operation.
        try:
            data = self._transport.request(
                "GET",
                f"{self._base}/{name}/operations",
                idempotent=True,
                limiters=(self._requests,),
            )
        except NotFoundError:
            return None  # no operations recorded: progress is simply unknown
        operations = data.get("operations")
        if not isinstance(operations, list) or not operations:
            return None
        first = operations[0] if isinstance(operations[0], dict) else {}
        found = field(first, "name")
        if found:
            with self._lock:
                self._operations[name] = found
        return first

    def _job(self, data: Mapping[str, Any]) -> RemoteJob:
        check_gemini_model(data)
        name = field(data, "name") or ""
        match = GEMINI_MODEL_NAME.fullmatch(name)
        who = ident.from_gemini(match["id"], field(data, "description")) if match else None
        state_name = field(data, "state") or "STATE_UNSPECIFIED"
        state = STATES.get(state_name, JobState.PENDING)
        succeeded = state is JobState.SUCCEEDED
        return RemoteJob(
            backend=BackendKind.GEMINI,
            name=name,
            spec_name=who.name if who else None,
            spec_hash=who.hash if who else None,
            stack=who.stack if who else None,
            protect=who.protect if who else False,
            state=state,
            create_time=parse_timestamp(data.get("createTime")),
            start_time=parse_timestamp(_task(data).get("startTime")),
            end_time=parse_timestamp(_task(data).get("completeTime")),
            update_time=parse_timestamp(data.get("updateTime")),
            # A tuned model is called by its own name once it is ACTIVE.
            model=name if succeeded else None,
            endpoint=name if succeeded else None,
            error_message=_shown(field(data, "error", "message")),
            labels=MappingProxyType({}),
            progress=100.0 if succeeded else None,
            nonce=None,
            project=None,
            location=None,
        )

    def __repr__(self) -> str:
        return f"GeminiBackend({self.endpoint!r})"


def _task(data: Mapping[str, Any]) -> Mapping[str, Any]:
    task = data.get("tuningTask")
    return task if isinstance(task, Mapping) else {}


def _model_name(name: str) -> str:
    name = name if name.startswith("tunedModels/") else f"tunedModels/{name}"
    if GEMINI_MODEL_NAME.fullmatch(name) is None:
        raise InvalidRequestError(f"not a Gemini API tuned model name: {name!r}")
    return name


def _replace_progress(job: RemoteJob, progress: float) -> RemoteJob:
    return dataclasses.replace(job, progress=progress)


def _with_operation(job: RemoteJob, operation: Mapping[str, Any]) -> RemoteJob:
    """A model's job with its create operation's progress (running) or error (failed)."""
    if job.state is JobState.RUNNING:
        # Zero is omitted on the wire, so a missing percent is no progress yet.
        return _replace_progress(job, number(operation, "metadata", "completedPercent") or 0.0)
    return dataclasses.replace(
        job,
        error_message=job.error_message or _shown(field(operation, "error", "message")),
        error_code=job.error_code or integer(operation, "error", "code"),
    )


def _shown(text: str | None) -> str | None:
    # A job's error text is the service's words, shown in plans and status.
    return one_line(text) if text is not None else None
