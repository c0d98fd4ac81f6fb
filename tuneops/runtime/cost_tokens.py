"""Counting training tokens with the service (Vertex AI `countTokens`), for cost estimates.

Only for local Vertex datasets of specs that no remote job has the hash of yet
(those a plan may create), in batches of examples per call. Above
`MAX_COUNTED_EXAMPLES` the offline estimate is used instead: the plan should not
spend minutes counting a million examples to the last token. The examples come
from the parse that checked the file (`LocalDataset.turns`); only a file over
the run's sharing budget is read again (datasets/shared_examples.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from tuneops.backends.vertex.client import VertexBackend
from tuneops.core.cost.estimate import TokenCount
from tuneops.core.jobs import RemoteJob, short_hash
from tuneops.datasets.shared_examples import MAX_COUNTED_EXAMPLES, Turns, counted_turns
from tuneops.runtime.session import RemoteSession
from tuneops.specs.kinds import BackendKind, LocalDataset
from tuneops.specs.models import JobSpec, VertexSpec

BATCH_EXAMPLES = 100


def _examples_as_contents(dataset: LocalDataset) -> Iterator[Turns]:
    """Each valid example's turns: as parsed when the file was checked, else read again."""
    if dataset.turns is not None:
        yield from dataset.turns
        return
    with dataset.open() as stream:
        for raw in stream:
            try:
                value = json.loads(raw.decode("utf-8-sig"))
            except ValueError:
                continue  # validation already reported it; count what trains
            turns = counted_turns(value)
            if turns is not None:
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
