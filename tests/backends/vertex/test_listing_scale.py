"""Listing a large stack costs one request per page and nothing more."""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.backends.conftest import Control
from tests.backends.support import TOKEN
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.vertex.client import PAGE_SIZE
from tuneops.emulator import EmulatorHandle

LIST = "GET /v1/projects/{project}/locations/{location}/tuningJobs"
JOBS = 5000


def make_jobs(url: str, stack: str, count: int) -> None:
    """Creates `count` labelled jobs over plain HTTP from a few threads (fixture speed)."""
    local = threading.local()

    def post(i: int) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        body = {
            "baseModel": "gemini-3.5-flash",
            "supervisedTuningSpec": {"trainingDatasetUri": "gs://acme/train.jsonl"},
            "labels": {
                "tuneops-stack": stack,
                "tuneops-name": f"job-{i}",
                "tuneops-hash": f"{i:016x}",
            },
        }
        response = session.post(
            f"{url}/v1/projects/acme-ml/locations/us-central1/tuningJobs",
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        response.raise_for_status()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(post, range(count)))


@pytest.mark.slow
def test_listing_5000_jobs_costs_one_call_per_page(
    vertex: Backend, emulator: EmulatorHandle, control: Control
) -> None:
    make_jobs(emulator.url, "big", JOBS)
    make_jobs(emulator.url, "other", 7)
    control.clear_counts()
    listed = vertex.list_jobs("big", "acme-ml", "us-central1")
    assert len(listed) == JOBS
    assert len({job.name for job in listed}) == JOBS
    assert {job.spec_name for job in listed} == {f"job-{i}" for i in range(JOBS)}
    assert PAGE_SIZE < JOBS  # more than one page: the listing follows nextPageToken
    assert control.counts() == {LIST: math.ceil(JOBS / PAGE_SIZE)}
