"""Model notices as pure functions of specs, lockfile, catalogue and the day."""

from __future__ import annotations

from datetime import date, timedelta

from tuneops.catalogue import shipped_catalogue, with_changes
from tuneops.core.model_notices import (
    ModelNotice,
    ModelUse,
    NoticeCode,
    Subject,
    live_notices,
    spec_notices,
)
from tuneops.lockfile.file import LockEntry, Lockfile, Revision
from tuneops.specs.kinds import BackendKind, JobState

CATALOGUE = shipped_catalogue()
DAY = date(2026, 12, 6)


def _codes(notices: tuple[ModelNotice, ...]) -> list[tuple[str, NoticeCode]]:
    return [(n.spec, n.code) for n in notices]


def test_each_spec_gets_the_notice_its_model_deserves() -> None:
    uses = [
        ModelUse("fine", "vertex", "gemini-3.5-flash"),
        ModelUse("future", "vertex", "gemini-9-ultra"),
        ModelUse("old", "vertex", "gemini-2.5-flash"),
        ModelUse("legacy", "gemini", "models/gemini-1.5-flash-001-tuning"),
        None,  # continuous tuning: no base model
    ]
    notices = spec_notices(uses, CATALOGUE, DAY)
    assert _codes(notices) == [
        ("future", NoticeCode.UNKNOWN),
        ("old", NoticeCode.RETIRED),
        ("legacy", NoticeCode.GEMINI_SUNSET),
    ]
    sunset = notices[2]
    assert (sunset.day, sunset.source_url) == (
        date(2025, 5, 31),
        "https://ai.google.dev/gemini-api/docs/model-tuning",
    )
    # Against an emulator the Gemini API's sunset is not news.
    emulated = spec_notices(uses, CATALOGUE, DAY, frozenset({"gemini"}))
    assert ("legacy", NoticeCode.GEMINI_SUNSET) not in _codes(emulated)


def test_a_model_within_the_window_gets_a_dated_warning() -> None:
    notices = spec_notices(
        [ModelUse("bot", "vertex", "gemini-3.5-flash")], CATALOGUE, date(2027, 4, 1)
    )
    [notice] = notices
    assert (notice.code, notice.day, notice.subject) == (
        NoticeCode.TUNING_ENDS,
        date(2027, 5, 18),
        Subject.SPEC,
    )
    assert ModelNotice.from_data(notice.to_data()) == notice


def _lockfile(state: str, endpoint: str | None) -> Lockfile:
    revision = Revision(
        job="projects/1/locations/us-central1/tuningJobs/7",
        spec_hash="a" * 64,
        state=JobState(state),
        endpoint=endpoint,
        spec={"baseModel": "gemini-3.5-flash"},
    )
    entry = LockEntry(BackendKind.VERTEX, "a" * 64, active=revision)
    return Lockfile("s", {"bot": entry})


def test_live_endpoints_and_running_jobs_on_a_model_shutting_down() -> None:
    soon = with_changes(
        CATALOGUE,
        {
            "models": [
                {
                    "id": "gemini-3.5-flash",
                    "backends": {"vertex": {"lifecycle": {"shutdown": "2027-01-01"}}},
                }
            ]
        },
    )
    live = _lockfile("succeeded", "projects/1/locations/us-central1/endpoints/9")
    [notice] = live_notices(live, soon, DAY)
    assert (notice.code, notice.subject, notice.day) == (
        NoticeCode.SHUTDOWN_SOON,
        Subject.ENDPOINT,
        date(2027, 1, 1),
    )
    [gone] = live_notices(live, soon, date(2027, 1, 2))
    assert gone.code is NoticeCode.SHUT_DOWN and gone.past
    running = live_notices(_lockfile("running", None), soon, DAY)
    assert [n.subject for n in running] == [Subject.RUNNING_JOB]
    # Far from the shutdown, or a failed job without an endpoint: nothing to say.
    assert live_notices(live, CATALOGUE, DAY) == ()
    assert live_notices(_lockfile("failed", None), soon, DAY) == ()
    # The last day served is 2026-12-31: the window opens 60 days before it.
    assert live_notices(live, soon, date(2026, 12, 31) - timedelta(days=61)) == ()
    assert live_notices(live, soon, date(2026, 12, 31) - timedelta(days=60)) != ()
