"""The Vertex AI backend: `projects.locations.tuningJobs`, REST v1."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from tuneops.backends.shared import identity as ident
from tuneops.backends.shared.generation import generate_body, response_text
from tuneops.backends.shared.wire import (
    LISTING_BOUNDS,
    ListingBounds,
    field,
    pages,
)
from tuneops.backends.transport.clock import Clock
from tuneops.backends.transport.errors import (
    CreateOutcomeUnknownError,
    CreateUntrustedError,
    FailedPreconditionError,
    InvalidRequestError,
    InvalidResponseError,
    JobNotReadyError,
    RemoteError,
    UnsupportedOperationError,
)
from tuneops.backends.transport.http import JsonObject, Transport
from tuneops.backends.transport.pacing import RateLimit, RateLimiter
from tuneops.backends.vertex.mapping import remote_job
from tuneops.backends.vertex.request import build_body
from tuneops.backends.vertex.shapes import VERTEX_JOB_NAME, check_vertex_job, made_for
from tuneops.backends.vertex.view import vertex_view
from tuneops.core.jobs import Capabilities, RemoteJob
from tuneops.specs.kinds import BackendKind
from tuneops.specs.models import JobSpec, VertexSpec

log = logging.getLogger("tuneops.backends")

DEFAULT_ENDPOINT = "https://{location}-aiplatform.googleapis.com"
API_VERSION = "v1"
# The largest page the service is asked for; it may answer with fewer, the
# listing follows nextPageToken either way. 500, not 1000: a finished job's page
# entry carries its checkpoints and evaluation runs, and a parsed page of 1000
# took the plan of 20,000 jobs past its 200 MiB peak (docs/performance.md).
PAGE_SIZE = 500
# More tokens than any batch of examples can hold (and few enough that a cost
# computed from them stays a finite float).
MAX_COUNTED_TOKENS = 10**12
# Vertex AI quotas per project and region (wire-format.md, part D).
VERTEX_REQUESTS = RateLimit(per_minute=590, burst=10)
VERTEX_SUBMISSIONS = RateLimit(per_minute=57, burst=3, min_per_minute=6)

_ENDPOINT_NAME = re.compile(
    r"projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/endpoints/[^/:]+"
)


class VertexBackend:
    """Vertex AI tuning jobs. Thread-safe; one rate-limit pair per region."""

    kind = BackendKind.VERTEX
    capabilities = Capabilities(client_chosen_ids=False, labels=True, cancel=True, delete=False)

    def __init__(
        self,
        transport: Transport,
        clock: Clock,
        endpoint: str = DEFAULT_ENDPOINT,
        page_size: int = PAGE_SIZE,
        listing: ListingBounds = LISTING_BOUNDS,
        requests_limit: RateLimit = VERTEX_REQUESTS,
        submissions_limit: RateLimit = VERTEX_SUBMISSIONS,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.page_size = page_size
        self.listing = listing
        self._transport = transport
        self._clock = clock
        self._limits = (requests_limit, submissions_limit)
        self._lock = threading.Lock()
        self._limiters: dict[str, tuple[RateLimiter, RateLimiter]] = {}
        # Names come back with the project number; remember which id the caller
        # used for it, so jobs report the project as configured.
        self._project_ids: dict[str, str] = {}

    def list_jobs(self, stack: str, project: str | None, location: str | None) -> list[RemoteJob]:
        """Every job of `stack` in `project`/`location`: one filtered list, all pages."""
        project, location = _require_place(project, location)
        # Each item becomes a job as its page arrives: holding every page of a place
        # until the last one came kept the raw JSON of all listed jobs at once
        # (issue 18: peak memory of plan).
        items = self._items(project, location, ident.stack_filter(stack))
        jobs = [self._job(item, project) for item in items]
        # The server filters by the stack label already; the identity check also
        # drops jobs whose other tuneops labels are malformed.
        return [job for job in jobs if job.stack == stack]

    def get(self, name: str) -> RemoteJob:
        """The job named `name` (`projects/P/locations/L/tuningJobs/ID`)."""
        data, _ = self._fetch(name)
        job = self._job(data, None)
        if job.name.rsplit("/", 1)[-1] != name.rsplit("/", 1)[-1]:
            # Projects may come back as numbers, but the job id must be the one asked for.
            raise InvalidResponseError(f"asked for {name}, the service answered with {job.name}")
        return job

    def describe(self, name: str) -> dict[str, Any]:
        """The job's settings in spec terms, for `tuneops import`."""
        data, location = self._fetch(name)
        return vertex_view(data, location)

    def _fetch(self, name: str) -> tuple[JsonObject, str]:
        """The raw `TuningJob` and its region."""
        place = VERTEX_JOB_NAME.fullmatch(name)
        if place is None:
            raise InvalidRequestError(f"not a Vertex AI tuning job name: {name!r}")
        data = self._transport.request(
            "GET",
            f"{self._base(place['location'])}/{name}",
            idempotent=True,
            limiters=self._limiters_for(place["location"])[:1],
        )
        return data, place["location"]

    def create(self, job: JobSpec, stack: str) -> RemoteJob:
        """Creates the job; after a lost answer, adopts the attempt's job instead of repeating.

        Every retry is preceded by a list filtered by this attempt's nonce label:
        if the lost attempt made a job, that job is returned and nothing is sent
        again, so at most one job exists per nonce.
        """
        if not isinstance(job.spec, VertexSpec):
            raise InvalidRequestError(f"spec {job.name!r} is not a Vertex AI spec")
        project, location = _require_place(job.spec.project, job.spec.location)
        nonce = ident.new_nonce()
        identity = ident.identity_for(job, stack, nonce)
        body = build_body(job, identity)

        adopted: list[JsonObject] = []  # what the nonce listing read back, if anything

        def adopt(error: RemoteError) -> JsonObject | None:
            """The job the lost attempt made, found by its nonce; None if there is none."""
            try:
                listed = self._list(project, location, ident.nonce_filter(stack, nonce))
            except RemoteError as listing:
                raise CreateOutcomeUnknownError(
                    f"creating {job.name!r} failed ({error}) and listing by nonce {nonce} "
                    f"to look for the job it may have made failed too ({listing}); "
                    "the next plan will find such a job by its labels",
                    method="POST",
                    url=self._collection(project, location),
                ) from error
            # The filter is checked here too: a server that ignores it must not
            # make us adopt some other job of the project.
            found = [item for item in listed if made_for(item, identity)]
            if not found:
                return None
            log.info("create of %r: adopting the job made by the lost attempt", job.name)
            adopted.append(min(found, key=lambda item: str(item.get("createTime") or "")))
            return adopted[-1]

        data = self._transport.request(
            "POST",
            self._collection(project, location),
            body=body,
            idempotent=False,
            limiters=self._limiters_for(location),
            check=adopt,
        )
        if adopted and data is adopted[-1]:
            pass  # listed by its nonce with its labels: read back already
        elif made_for(data, identity):
            # The labels in an answer are the same server's words, and it was sent
            # them: they cannot vouch for the name. Read the named job back.
            data = self._read_back(job.name, field(data, "name") or "", identity)
        else:
            # Not the job we asked for (no name, another job's name or labels): the
            # outcome is unknown, and only the nonce can tell what was made. The
            # nonce listing reads the job back with its labels.
            doubt = InvalidResponseError(
                "the create answer does not name a job with this attempt's labels",
                method="POST",
                url=self._collection(project, location),
            )
            found = adopt(doubt)
            if found is None:
                raise CreateOutcomeUnknownError(
                    f"creating {job.name!r}: {doubt}, and no job carries its nonce {nonce}; "
                    "nothing was recorded, the next plan will find such a job by its labels",
                    method="POST",
                    url=self._collection(project, location),
                )
            data = found
        return self._job(data, project)

    def _read_back(self, spec: str, name: str, identity: ident.Identity) -> JsonObject:
        """The job `name` as a GET answers it, if it carries `identity` (nonce included).

        Raises `CreateUntrustedError` otherwise: the create answer named a job
        that is not the one this attempt made, and nothing may be recorded.
        """
        place = VERTEX_JOB_NAME.fullmatch(name)
        assert place is not None  # made_for checked the name
        url = f"{self._base(place['location'])}/{name}"
        reason = "it carries other labels"
        try:
            data = self._transport.request(
                "GET", url, idempotent=True, limiters=self._limiters_for(place["location"])[:1]
            )
        except RemoteError as error:
            data = {}
            reason = f"HTTP {error.http_status}" if error.http_status else "no answer"
        same = str(data.get("name", "")).rsplit("/", 1)[-1] == name.rsplit("/", 1)[-1]
        if same and made_for(data, identity):
            return data
        raise CreateUntrustedError(
            f"creating {spec!r}: the create answer names {name}, which does not read back "
            f"with this attempt's labels ({reason}); nothing was recorded, the next plan "
            "will find the job by its labels",
            method="GET",
            url=url,
        )

    def cancel(self, name: str) -> None:
        """Asks Vertex AI to cancel the job; it ends in `cancelled` asynchronously.

        Raises `FailedPreconditionError` when the job has already ended.
        """
        place = VERTEX_JOB_NAME.fullmatch(name)
        if place is None:
            raise InvalidRequestError(f"not a Vertex AI tuning job name: {name!r}")
        try:
            self._transport.request(
                "POST",
                f"{self._base(place['location'])}/{name}:cancel",
                body={},
                idempotent=True,
                limiters=self._limiters_for(place["location"])[:1],
            )
        except FailedPreconditionError as error:
            # On a retry this means the lost first attempt worked and the job has
            # ended since; on the first attempt the job had already ended.
            if error.attempt <= 1:
                raise

    def delete(self, name: str) -> None:
        """Vertex AI has no delete for tuning jobs; always raises."""
        raise UnsupportedOperationError(
            f"cannot delete {name}: Vertex AI tuning jobs cannot be deleted, only cancelled"
        )

    def generate(self, name_or_endpoint: str, prompt: str) -> str:
        """Asks the tuned model behind an endpoint (or a succeeded job) to answer `prompt`."""
        endpoint = name_or_endpoint
        if _ENDPOINT_NAME.fullmatch(endpoint) is None:
            job = self.get(name_or_endpoint)
            if job.endpoint is None:
                raise JobNotReadyError(
                    f"{name_or_endpoint} has no endpoint yet (state {job.state.value})"
                )
            endpoint = job.endpoint
        place = _ENDPOINT_NAME.fullmatch(endpoint)
        if place is None:
            raise InvalidRequestError(f"not a Vertex AI endpoint name: {endpoint!r}")
        data = self._transport.request(
            "POST",
            f"{self._base(place['location'])}/{endpoint}:generateContent",
            body=generate_body(prompt),
            idempotent=True,  # no side effect: repeating it only costs tokens
            limiters=self._limiters_for(place["location"])[:1],
        )
        return response_text(data)

    def count_tokens(
        self, project: str, location: str, base_model: str, contents: list[JsonObject]
    ) -> int:
        """How many tokens `contents` are for `base_model` (`countTokens`, no side effect)."""
        url = (
            f"{self._base(location)}/projects/{project}/locations/{location}"
            f"/publishers/google/models/{base_model}:countTokens"
        )
        data = self._transport.request(
            "POST",
            url,
            body={"contents": contents},
            idempotent=True,
            limiters=self._limiters_for(location)[:1],
        )
        # A count feeds the cost guard: missing, negative or absurd is refused, never
        # read as 0 (issue 22); the plan stops with this error. (Checked after the
        # retry loop: the same service would answer the same.)
        total = data.get("totalTokens")
        if (
            not isinstance(total, int)
            or isinstance(total, bool)
            or not 0 <= total <= MAX_COUNTED_TOKENS
        ):
            raise InvalidResponseError(
                f"the answer's totalTokens is {str(total)[:40]!r}, not a count of tokens "
                f"from 0 to {MAX_COUNTED_TOKENS:,}; the cost of the plan cannot be estimated",
                method="POST",
                url=url,
            )
        return total

    def close(self) -> None:
        """Closes the transport's connections."""
        self._transport.close()

    def _list(self, project: str, location: str, filter_: str) -> list[JsonObject]:
        return list(self._items(project, location, filter_))

    def _items(self, project: str, location: str, filter_: str) -> Iterator[JsonObject]:
        params: dict[str, str | int] = {"pageSize": self.page_size, "filter": filter_}
        return pages(
            self._transport,
            self._collection(project, location),
            "tuningJobs",
            params,
            self._limiters_for(location)[:1],
            self.listing,
        )

    def _base(self, location: str) -> str:
        # Not str.format: an endpoint is user input and may hold other braces.
        return f"{self.endpoint.replace('{location}', location)}/{API_VERSION}"

    def _collection(self, project: str, location: str) -> str:
        return f"{self._base(location)}/projects/{project}/locations/{location}/tuningJobs"

    def _limiters_for(self, location: str) -> tuple[RateLimiter, RateLimiter]:
        with self._lock:
            pair = self._limiters.get(location)
            if pair is None:
                requests_limit, submissions_limit = self._limits
                pair = (
                    RateLimiter(requests_limit, self._clock),
                    RateLimiter(submissions_limit, self._clock),
                )
                self._limiters[location] = pair
            return pair

    def _job(self, data: Mapping[str, Any], project: str | None) -> RemoteJob:
        check_vertex_job(data)
        place = VERTEX_JOB_NAME.fullmatch(field(data, "name") or "")
        named_project = place["project"] if place else None
        # Jobs name their project by number; keep the id the caller listed them by.
        with self._lock:
            if project is not None and named_project and named_project != project:
                self._project_ids[named_project] = project
            elif project is None and named_project:
                project = self._project_ids.get(named_project, named_project)
        return remote_job(data, project or named_project, place["location"] if place else None)

    def __repr__(self) -> str:
        return f"VertexBackend({self.endpoint!r})"


def _require_place(project: str | None, location: str | None) -> tuple[str, str]:
    if not project or not location:
        raise InvalidRequestError(
            "a Vertex AI job needs a project and a location; set defaults.project and "
            "defaults.location in tuneops.yaml or spec.project and spec.location"
        )
    return project, location
