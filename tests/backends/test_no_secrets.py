"""No token or key in any exception, traceback, repr or log line, whatever fails.

The autouse fixture in conftest.py already searches every test's output and log
records; this test drives one backend of each kind through every failure path
and searches the full text of each error, chained causes included.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import google.auth.exceptions
import pytest

from tests.backends.conftest import BackendFactory, Control, options
from tests.backends.support import (
    API_KEY,
    TOKEN,
    CountingCredentials,
    FakeClock,
    gemini_job,
    vertex_job,
)
from tuneops.backends.transport.auth import GoogleCredentials
from tuneops.backends.transport.errors import CredentialsError
from tuneops.specs.kinds import BackendKind as Kind

JOBS = r"/tuningJobs$"


class LeakyRefresh(CountingCredentials):
    """Credentials whose refresh fails with a message quoting the token."""

    def refresh(self, request: Any) -> None:
        raise google.auth.exceptions.RefreshError(f"invalid_grant for token {self.token}")


def full_text(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error) + str(error)


@pytest.mark.gemini_tuning_available
def test_every_failure_path_is_free_of_credentials(
    make_backend: BackendFactory,
    control: Control,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    vertex = make_backend(Kind.VERTEX, options=options(max_attempts=2))
    refreshing = make_backend(
        Kind.VERTEX,
        access_token=None,
        credentials=CountingCredentials(clock),
        options=options(max_attempts=2),
    )
    gemini = make_backend(Kind.GEMINI, options=options(max_attempts=2))
    texts: list[str] = [repr(vertex), repr(refreshing), repr(gemini)]

    def expect_failure(call: Callable[[], object], *faults: dict[str, Any]) -> None:
        control.clear_faults()
        for fault in faults:
            control.fault(**fault)
        with pytest.raises(Exception) as caught:
            call()
        texts.append(full_text(caught.value))

    def list_vertex() -> object:
        return vertex.list_jobs("prod", "acme-ml", "us-central1")

    for status in (400, 401, 403, 404, 429, 500, 503):
        # 429s use up no attempts, only the deadline: it takes more of them to fail.
        count = 500 if status == 429 else 9
        expect_failure(
            list_vertex,
            {"method": "GET", "path": JOBS, "kind": "status", "status": status, "count": count},
        )
    expect_failure(list_vertex, {"method": "GET", "path": JOBS, "kind": "drop", "count": 9})
    expect_failure(
        lambda: refreshing.list_jobs("prod", "acme-ml", "us-central1"),
        {"method": "GET", "path": JOBS, "kind": "status", "status": 401, "count": 9},
    )
    expect_failure(
        lambda: vertex.create(vertex_job(), "prod"),
        {"method": "POST", "path": JOBS, "kind": "commit-then-fail", "status": 503},
        {"method": "GET", "path": JOBS, "kind": "status", "status": 500, "count": 9},
    )
    expect_failure(lambda: vertex.get("projects/p/locations/us-central1/tuningJobs/1"))
    expect_failure(lambda: gemini.get("tunedModels/missing"))
    expect_failure(
        lambda: gemini.list_jobs("prod", None, None),
        {"method": "GET", "path": r"/tunedModels$", "kind": "status", "status": 403, "count": 9},
    )
    job = gemini.create(gemini_job(), "prod")
    expect_failure(lambda: gemini.generate(job.name, "1"))
    expect_failure(lambda: gemini.delete("tunedModels/missing"))
    leaky = GoogleCredentials(LeakyRefresh(clock, lifetime=1.0), clock)
    with pytest.raises(CredentialsError) as refresh_failure:
        leaky.headers()
    texts.append(full_text(refresh_failure.value))
    assert str(refresh_failure.value).startswith(
        "could not refresh the Application Default Credentials: invalid_grant for token <redacted>"
    )

    print("\n".join(texts))
    everything = "\n".join(texts) + caplog.text + capsys.readouterr().out
    assert len(texts) == 19
    assert TOKEN not in everything
    assert API_KEY not in everything
    # The errors still say what failed.
    assert "401 UNAUTHENTICATED" in everything and "503 UNAVAILABLE" in everything
