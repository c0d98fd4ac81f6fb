"""Reading a running watch loop over HTTP, as Prometheus and the kubelet would."""

from __future__ import annotations

import re
from typing import Any

import requests
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(port: int) -> Samples:
    """Every sample of `/metrics`, parsed by prometheus-client's own parser."""
    answer = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    answer.raise_for_status()
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    samples: Samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def series(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    """The samples of one metric, by label set."""
    return {labels: value for (found, labels), value in samples.items() if found == name}


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; KeyError when it is absent."""
    return samples[(name, frozenset(labels.items()))]


def probe(port: int, path: str) -> tuple[int, dict[str, Any]]:
    """A health endpoint's status code and JSON body."""
    answer = requests.get(f"http://127.0.0.1:{port}{path}", timeout=10)
    body: dict[str, Any] = answer.json()
    return answer.status_code, body


def bound_port(err: str) -> int:
    """The port the loop said it listens on (text logs)."""
    found = re.search(r"serving /metrics, /healthz and /readyz on http://127\.0\.0\.1:(\d+)", err)
    assert found, err
    return int(found.group(1))
