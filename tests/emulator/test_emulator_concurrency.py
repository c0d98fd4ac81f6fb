"""Many clients at once: no lost writes, no duplicate ids, consistent lists."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from google.genai import types

from tests.emulator.support import (
    SDK_WARNINGS,
    TRAIN,
    gemini_http,
    job_body,
    model_body,
    vertex_client,
    vertex_http,
)
from tuneops.emulator import EmulatorHandle

JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"
THREADS, PER_THREAD = 8, 10


def test_concurrent_creates_and_lists(emulator: EmulatorHandle) -> None:
    def work(worker: int) -> list[str]:
        api = vertex_http(emulator.url)
        created = []
        for i in range(PER_THREAD):
            labels = {"worker": f"w{worker}", "n": str(i)}
            created.append(api.ok("POST", JOBS, json=job_body(labels=labels))["name"])
            listed = api.ok("GET", JOBS, params={"filter": f'labels.worker="w{worker}"'})
            assert [j["name"] for j in listed["tuningJobs"]] == created[::-1]
        return created

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    names = [name for created in results for name in created]
    assert len(set(names)) == THREADS * PER_THREAD

    api = vertex_http(emulator.url)
    listed, token = [], None
    while True:
        page = api.ok(
            "GET", JOBS, params={"pageSize": 7, **({"pageToken": token} if token else {})}
        )
        listed += [job["name"] for job in page["tuningJobs"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert sorted(listed) == sorted(names)
    counts = emulator.request_counts()
    assert counts["POST /v1/projects/{project}/locations/{location}/tuningJobs"] == 80


@pytest.mark.gemini_tuning_available
def test_racing_creates_of_one_tuned_model_id_let_exactly_one_win(
    emulator: EmulatorHandle,
) -> None:
    def create(_: int) -> int:
        api = gemini_http(emulator.url)
        params = {"tunedModelId": "contested"}
        return api.call("POST", "/v1beta/tunedModels", params=params, json=model_body()).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(create, range(16)))
    assert statuses == [200] + [409] * 15


@pytest.mark.filterwarnings(SDK_WARNINGS)
def test_concurrent_sdk_clients(emulator: EmulatorHandle) -> None:
    def work(worker: int) -> str:
        client = vertex_client(emulator.url)
        job = client.tunings.tune(
            base_model="gemini-3.5-flash",
            training_dataset=types.TuningDataset(gcs_uri=TRAIN),
            config=types.CreateTuningJobConfig(labels={"worker": f"w{worker}"}),
        )
        fetched = client.tunings.get(name=job.name or "")
        assert fetched.labels == {"worker": f"w{worker}"}
        return job.name or ""

    with ThreadPoolExecutor(4) as pool:
        names = list(pool.map(work, range(8)))
    assert len(set(names)) == 8
    assert len(list(vertex_client(emulator.url).tunings.list())) == 8
