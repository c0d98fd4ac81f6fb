"""The hash computed from plain data equals the hash of the models (issue 12).

`validate` and `plan` hash the schema-checked data without building a model;
the canonical form must be exactly what dumping the model gives, or a spec
would change hash between tuneops versions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuneops.specs.hashing import canonical_json, canonical_spec
from tuneops.specs.loader import check_specs, load_specs
from tuneops.specs.models import Defaults, JobSpec

DATA = Path(__file__).resolve().parents[1] / "data" / "specs"
DEFAULTS = Defaults(project="acme-ml", location="us-central1")
VALID = sorted(p for p in (DATA / "valid").iterdir() if p.suffix != ".expected")


def _from_models(job: JobSpec) -> bytes:
    # Bytes, not dicts: `1 == 1.0`, but the hash tells them apart.
    return canonical_json(canonical_spec(job.spec, job.examples, job.local_datasets))


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_every_golden_spec_hashes_the_same_from_data_and_from_models(case: Path) -> None:
    result = load_specs([case], DATA, DEFAULTS)
    assert result.errors == ()
    assert result.specs
    for job in result.specs:
        assert canonical_json(job.canonical) == _from_models(job)


numbers = st.one_of(st.integers(1, 5), st.integers(1, 5).map(float), st.floats(0.01, 5.0))
gemini_specs = st.fixed_dictionaries(
    {"backend": st.just("gemini"), "baseModel": st.just("models/gemini-1.5-flash-001-tuning")},
    optional={
        "temperature": st.one_of(st.integers(0, 1), st.floats(0.0, 1.0)),
        "topP": st.one_of(st.integers(0, 1), st.floats(0.0, 1.0)),
        "topK": st.one_of(st.integers(1, 40), st.integers(1, 40).map(float)),
        "description": st.text(max_size=20),
        "hyperParameters": st.fixed_dictionaries(
            {},
            optional={
                "epochCount": st.one_of(st.integers(1, 9), st.integers(1, 9).map(float)),
                "batchSize": st.one_of(st.integers(1, 9), st.integers(1, 9).map(float)),
                "learningRate": st.one_of(st.just(1), st.just(1.0), st.floats(0.001, 1.0)),
            },
        ),
        "protect": st.booleans(),
    },
)
vertex_specs = st.fixed_dictionaries(
    {"baseModel": st.just("gemini-3.5-flash"), "trainingDataset": st.just("gs://acme/train.jsonl")},
    optional={
        "validationDataset": st.just("gs://acme/val.jsonl"),
        "tunedModelDisplayName": st.text(min_size=1, max_size=20),
        "hyperParameters": st.fixed_dictionaries(
            {},
            optional={
                "epochCount": st.one_of(st.integers(1, 9), st.integers(1, 9).map(float)),
                "learningRateMultiplier": numbers,
                "adapterSize": st.sampled_from(["ADAPTER_SIZE_ONE", "ADAPTER_SIZE_FOUR"]),
            },
        ),
        "datasetPolicy": st.sampled_from(["pin", "ignoreChanges"]),
        "exportLastCheckpointOnly": st.booleans(),
        "labels": st.dictionaries(st.sampled_from(["a", "b"]), st.sampled_from(["x", ""])),
    },
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=st.one_of(gemini_specs, vertex_specs))
def test_generated_specs_hash_the_same_from_data_and_from_models(
    tmp_path: Path, spec: dict[str, Any]
) -> None:
    if spec.get("backend") == "gemini":
        spec = {**spec, "trainingData": {"examples": [{"textInput": "1", "output": "2"}]}}
    document = {
        "apiVersion": "tuneops.dev/v1",
        "kind": "TuningJob",
        "metadata": {"name": "job"},
        "spec": spec,
    }
    (tmp_path / "job.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    checked = check_specs([tmp_path / "job.yaml"], tmp_path, DEFAULTS)
    loaded = load_specs([tmp_path / "job.yaml"], tmp_path, DEFAULTS)
    assert loaded.errors == checked.errors == ()
    (job,) = loaded.specs
    assert canonical_json(checked.specs[0].canonical) == _from_models(job)
    assert checked.specs[0].spec_hash == job.spec_hash
