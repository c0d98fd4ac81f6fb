"""Issue 22, item 7: a create is recorded only as the job it read back; listings must progress.

A hostile server (tests/hostile.py) in front of the emulator scripts the answers.
"""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest

from tests.backends.conftest import BackendFactory
from tests.backends.support import vertex_job
from tests.backends.test_hostile import JOBS, remote_jobs
from tests.hostile import HostileServer, Reply, Seen
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.shared.wire import ListingBounds
from tuneops.backends.transport import errors
from tuneops.backends.transport.http import Timeouts
from tuneops.emulator import EmulatorHandle
from tuneops.project.settings import PhaseTimeouts
from tuneops.specs.kinds import BackendKind as Kind

FOREIGN = "projects/123456789012/locations/us-central1/tuningJobs/999999999999"


@pytest.fixture
def vertex(make_backend: BackendFactory, hostile: HostileServer) -> Backend:
    return make_backend(Kind.VERTEX, endpoint=hostile.url)


def test_a_create_answered_with_another_name_and_its_own_labels_is_not_recorded(
    vertex: Backend, hostile: HostileServer, emulator: EmulatorHandle
) -> None:
    # The server makes the job, then answers with the labels it was sent under the
    # name of a job that is not this stack's: only reading the name back tells.
    def renamed(seen: Seen) -> Reply:
        data = seen.forward().data()
        return Reply.of(200, {**data, "name": FOREIGN})

    hostile.rule("POST", JOBS, renamed, times=1)
    with pytest.raises(errors.CreateUntrustedError) as caught:
        vertex.create(vertex_job(), "prod")
    assert str(caught.value).endswith(
        f"creating 'support-bot': the create answer names {FOREIGN}, which does not read "
        "back with this attempt's labels (HTTP 404); nothing was recorded, the next "
        "plan will find the job by its labels"
    )
    assert len(remote_jobs(emulator)) == 1  # made once, never again


def test_a_create_answered_with_another_name_that_exists_is_not_recorded(
    vertex: Backend, hostile: HostileServer, emulator: EmulatorHandle
) -> None:
    other = vertex.create(vertex_job("other-bot"), "elsewhere")

    def renamed(seen: Seen) -> Reply:
        return Reply.of(200, {**seen.forward().data(), "name": other.name})

    hostile.rule("POST", JOBS, renamed, times=1)
    with pytest.raises(errors.CreateUntrustedError) as caught:
        vertex.create(vertex_job(), "prod")
    assert f"the create answer names {other.name}, which does not read back" in str(caught.value)


def test_a_believed_create_costs_one_call_more_than_the_post(
    vertex: Backend, hostile: HostileServer
) -> None:
    job = vertex.create(vertex_job(), "prod")
    assert [(s.method, s.path.rsplit("/", 1)[-1]) for s in hostile.seen] == [
        ("POST", "tuningJobs"),
        ("GET", job.name.rsplit("/", 1)[-1]),
    ]


def _listing(make_backend: BackendFactory, url: str) -> Backend:
    return make_backend(Kind.VERTEX, endpoint=url)


def test_a_page_without_items_but_with_a_fresh_token_stops_the_listing_at_once(
    make_backend: BackendFactory, hostile: HostileServer
) -> None:
    tokens = count()
    hostile.rule("GET", JOBS, lambda seen: Reply.of(200, {"nextPageToken": f"t{next(tokens)}"}))
    with pytest.raises(errors.InvalidResponseError) as caught:
        _listing(make_backend, hostile.url).list_jobs("prod", "acme-ml", "us-central1")
    assert str(caught.value).endswith(
        "page 1 brought no new job but a next page token: the listing makes no progress; "
        "no partial listing is used"
    )
    assert len(hostile.seen) == 1


def test_a_page_repeating_the_jobs_already_listed_stops_the_listing(
    vertex: Backend, make_backend: BackendFactory, hostile: HostileServer
) -> None:
    vertex.create(vertex_job(), "prod")
    tokens = count()

    def again(seen: Seen) -> Reply:
        data: dict[str, Any] = seen.forward(drop_query=("pageToken",)).data()
        return Reply.of(200, {**data, "nextPageToken": f"t{next(tokens)}"})

    hostile.rule("GET", JOBS, again)
    with pytest.raises(errors.InvalidResponseError) as caught:
        _listing(make_backend, hostile.url).list_jobs("prod", "acme-ml", "us-central1")
    assert "page 2 brought no new job but a next page token" in str(caught.value)
    assert len([s for s in hostile.seen if s.method == "GET" and s.path.endswith("Jobs")]) == 2


def test_the_default_bounds_keep_one_command_within_120_seconds() -> None:
    # The listing phase (all places, all pages, all retries) is the network time of
    # plan; one attempt and one listing each fit inside it.
    assert PhaseTimeouts().listing == 120.0
    assert ListingBounds().max_seconds <= 120.0
    assert Timeouts().total <= 120.0
