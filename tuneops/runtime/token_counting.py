"""Counting training tokens with the service (Vertex AI `countTokens`), for cost estimates.

Only for local Vertex datasets of specs that no remote job has the hash of yet
(those a plan may create), in batches of examples per call. Above
`MAX_COUNTED_EXAMPLES` the offline estimate is used instead: the plan should not
spend minutes counting a million examples to the last token.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from tuneops.backends.vertex import VertexBackend
from tuneops.core.costing import TokenCount
from tuneops.core.jobs import RemoteJob, short_hash
from tuneops.runtime.session import RemoteSession
from tuneops.specs.models import BackendKind, JobSpec, LocalDataset, VertexSpec

BATCH_EXAMPLES = 100
MAX_COUNTED_EXAMPLES = 10_000


def _examples_as_contents(dataset: LocalDataset) -> Iterator[list[dict[str, Any]]]:
    """Each valid line's turns, its system instruction first as a user turn.

    A preference line (with `completions`) is counted as Google bills it: the
    prompt's tokens twice, plus the completions' (read 2026-12-06,
    https://docs.cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-preference-tuning,
    "Pricing").
    """
    with dataset.open() as stream:
        for raw in stream:
            try:
                value = json.loads(raw.decode("utf-8-sig"))
            except ValueError:
                continue  # validation already reported it; count what trains
            if not isinstance(value, dict) or not isinstance(value.get("contents"), list):
                continue
            turns = list(value["contents"])
            system = value.get("systemInstruction") or value.get("system_instruction")
            if isinstance(system, dict) and isinstance(system.get("parts"), list):
                turns.insert(0, {"role": "user", "parts": system["parts"]})
            completions = value.get("completions")
            if isinstance(completions, list):
                answers = [
                    c["completion"]
                    for c in completions
                    if isinstance(c, dict) and isinstance(c.get("completion"), dict)
                ]
                turns = [*turns, *turns, *answers]
            yield turns


def _count(backend: VertexBackend, spec: VertexSpec, model: str, dataset: LocalDataset) -> int:
    assert spec.project is not None and spec.location is not None
    total = examples = 0
    batch: list[dict[str, Any]] = []
    for turns in _examples_as_contents(dataset):
        batch += turns
        examples += 1
        if examples == BATCH_EXAMPLES:
            total += backend.count_tokens(spec.project, spec.location, model, batch)
            batch, examples = [], 0
    if batch:
        total += backend.count_tokens(spec.project, spec.location, model, batch)
    return total


def count_training_tokens(
    session: RemoteSession, specs: Sequence[JobSpec], remote: Sequence[RemoteJob]
) -> dict[str, TokenCount]:
    """Service-counted training tokens per spec name, where that is worth it."""
    existing = {job.spec_hash for job in remote}
    counted: dict[str, TokenCount] = {}
    for spec in specs:
        inner = spec.spec
        training = [d for d in spec.local_datasets if d.role == "training"]
        if not isinstance(inner, VertexSpec) or not training or inner.base_model is None:
            continue  # continuous tuning names no base model to count with
        if short_hash(spec.spec_hash) in existing or training[0].examples > MAX_COUNTED_EXAMPLES:
            continue
        backend = session.backend(BackendKind.VERTEX)
        if isinstance(backend, VertexBackend):
            tokens = _count(backend, inner, inner.base_model, training[0])
            counted[spec.name] = TokenCount(tokens, "countTokens")
    return counted
