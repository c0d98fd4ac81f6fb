"""The AIP-160 filter subset of tuningJobs.list: what matches, and what is a 400."""

from __future__ import annotations

import pytest

from tests.emulator.support import Http, job_body, vertex_http
from tuneops.emulator import EmulatorHandle
from tuneops.emulator.errors import ApiError
from tuneops.emulator.filters import JobFacts, compile_filter

T0 = 1_735_689_600_000_000  # 2025-01-01T00:00:00Z in microseconds

JOB = JobFacts(
    labels={"tuneops-stack": "demo", "tuneops-nonce": "abc", "team": "x"},
    state="JOB_STATE_RUNNING",
    create_us=T0,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ('labels.tuneops-stack="demo"', True),
        ("labels.tuneops-stack=demo", True),
        ("labels.tuneops-stack = 'demo'", True),
        ('labels.tuneops-stack="other"', False),
        ('labels.tuneops-stack!="other"', True),
        ('labels.missing!="x"', True),
        ("labels.tuneops-nonce:*", True),
        ("labels.missing:*", False),
        ("labels:team", True),
        ('labels.team:"x"', True),
        ("state=JOB_STATE_RUNNING", True),
        ('state="JOB_STATE_SUCCEEDED"', False),
        ("state!=JOB_STATE_SUCCEEDED", True),
        ('create_time>="2025-01-01T00:00:00Z"', True),
        ('create_time>"2025-01-01T00:00:00Z"', False),
        ('create_time<"2025-01-01T00:00:00.000001Z"', True),
        ('createTime="2025-01-01T01:00:00+01:00"', True),
        ('labels.team="x" AND state=JOB_STATE_RUNNING', True),
        ('labels.team="y" OR state=JOB_STATE_RUNNING', True),
        ("NOT labels.team:*", False),
        ("-labels.team:*", False),
        ("-(labels.team:* OR labels.missing:*)", False),
        ('NOT (labels.team="y")', True),
        # OR binds tighter than AND (AIP-160): a AND (b OR c).
        ('labels.team="y" AND state=JOB_STATE_RUNNING OR labels.team="x"', False),
        ('(labels.team="y" AND state=JOB_STATE_RUNNING) OR labels.team="x"', True),
        ('labels.tuneops-stack="demo" AND labels.tuneops-nonce="abc"', True),
    ],
)
def test_matches(text: str, expected: bool) -> None:
    assert compile_filter(text)(JOB) is expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            'display_name="x"',
            "field 'display_name' is not supported (use labels.KEY, state or create_time)",
        ),
        ("state=RUNNING", "'RUNNING' is not a job state"),
        ("state<JOB_STATE_RUNNING", "state supports = and !=, not <"),
        ('create_time>"yesterday"', "'yesterday' is not an RFC 3339 timestamp"),
        ("labels.team>x", "labels support =, != and :, not >"),
        ('labels.team="x" labels.a="b"', "expected AND, OR or the end before 'labels.a'"),
        ('(labels.team="x"', "expected ')' before 'end of filter'"),
        ("labels.team=", "unexpected end of filter"),
        ("team", "expected a comparison after 'team'"),
        ('labels.team="x")', "unexpected ')'"),
        ("labels.=x", "a label filter needs a key: labels.KEY"),
    ],
)
def test_unsupported_filters_are_400(text: str, reason: str) -> None:
    with pytest.raises(ApiError) as raised:
        compile_filter(text)
    assert raised.value.http_status == 400
    assert raised.value.status == "INVALID_ARGUMENT"
    assert raised.value.message == f'Invalid filter "{text}": {reason}.'


JOBS = "/v1/projects/acme-ml/locations/us-central1/tuningJobs"


def names(api: Http, text: str) -> list[str]:
    found = api.ok("GET", JOBS, params={"filter": text}).get("tuningJobs", [])
    return [job["tunedModelDisplayName"] for job in found]


def test_filters_over_http(emulator: EmulatorHandle) -> None:
    api = vertex_http(emulator.url)
    api.ok("POST", JOBS, json=job_body(tunedModelDisplayName="a", labels={"tuneops-stack": "s1"}))
    emulator.advance(10)
    api.ok("POST", JOBS, json=job_body(tunedModelDisplayName="b", labels={"tuneops-stack": "s2"}))
    api.ok("POST", JOBS, json=job_body(tunedModelDisplayName="c", labels={"other": "x"}))
    assert names(api, 'labels.tuneops-stack="s1"') == ["a"]
    assert names(api, "labels.tuneops-stack:*") == ["b", "a"]
    assert names(api, "state=JOB_STATE_RUNNING") == ["a"]
    assert names(api, "state=JOB_STATE_PENDING") == ["c", "b"]
    assert names(api, 'create_time>"2025-01-01T00:00:05Z"') == ["c", "b"]
    assert names(api, 'NOT labels.tuneops-stack:* OR labels.tuneops-stack="s1"') == ["c", "a"]
    response = api.call("GET", JOBS, params={"filter": "display_name=a"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": 400,
        "message": "Invalid filter \"display_name=a\": field 'display_name' is not supported"
        " (use labels.KEY, state or create_time).",
        "status": "INVALID_ARGUMENT",
    }
