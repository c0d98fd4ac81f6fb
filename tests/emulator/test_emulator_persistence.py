"""State in SQLite: a restarted emulator knows its jobs, its clock and its ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.emulator.support import gemini_http, job_body, model_body, vertex_http
from tuneops.emulator import EmulatorConfig, StoreError, start_emulator

JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"


def test_jobs_survive_a_restart(tmp_path: Path) -> None:
    config = EmulatorConfig(
        state_path=tmp_path / "state.sqlite", frozen_clock=True, gemini_tuning="available"
    )
    with start_emulator(config) as first:
        vertex, gemini = vertex_http(first.url), gemini_http(first.url)
        running = vertex.ok("POST", JOBS, json=job_body())["name"]
        cancelled = vertex.ok("POST", JOBS, json=job_body())["name"]
        model = gemini.ok("POST", "/v1beta/tunedModels", json=model_body())["metadata"][
            "tunedModel"
        ]
        first.advance(5)
        vertex.ok("POST", f"/v1/{cancelled}:cancel")
        before = vertex.ok("GET", JOBS)
        model_before = gemini.ok("GET", f"/v1beta/{model}")

    with start_emulator(config) as second:
        vertex, gemini = vertex_http(second.url), gemini_http(second.url)
        assert second.now() == "2025-01-01T00:00:05.000000Z"  # the clock advance is kept
        assert vertex.ok("GET", JOBS) == before
        assert gemini.ok("GET", f"/v1beta/{model}") == model_before
        second.advance(30)
        states = {j["name"]: j["state"] for j in vertex.ok("GET", JOBS)["tuningJobs"]}
        assert states == {running: "JOB_STATE_SUCCEEDED", cancelled: "JOB_STATE_CANCELLED"}
        reply = gemini.ok(
            "POST",
            f"/v1beta/{model}:generateContent",
            json={"contents": [{"parts": [{"text": "3"}]}]},
        )
        assert reply["candidates"][0]["content"]["parts"] == [{"text": "4"}]
        # Ids come from a sequence kept in the file, so none is handed out twice.
        fresh = vertex.ok("POST", JOBS, json=job_body())["name"]
        assert fresh not in (running, cancelled)
        assert second.projects() == {"acme-ml": "123456789012"}


def test_a_file_that_is_not_a_state_file_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database, just text that is long enough " * 20)
    with (
        pytest.raises(StoreError, match="not a usable emulator state file"),
        start_emulator(EmulatorConfig(state_path=bogus)),
    ):
        pass
