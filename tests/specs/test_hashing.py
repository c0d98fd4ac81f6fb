"""The spec hash: stable under formatting, sensitive to everything that trains."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuneops.specs.loader import load_specs
from tuneops.specs.models import Defaults

DEFAULTS = Defaults(project="acme-ml", location="us-central1")


def _hash_of(tmp: Path, documents: list[dict[str, Any]] | str, name: str = "job") -> str:
    text = documents if isinstance(documents, str) else yaml.safe_dump_all(documents)
    spec_file = tmp / "specs" / "spec.yaml"
    spec_file.parent.mkdir(parents=True, exist_ok=True)
    spec_file.write_text(text, encoding="utf-8")
    result = load_specs([tmp / "specs"], tmp, DEFAULTS)
    assert result.errors == ()
    return next(s.spec_hash for s in result.specs if s.name == name)


def _vertex(**spec: Any) -> dict[str, Any]:
    body = {"baseModel": "gemini-3.5-flash", "trainingDataset": "gs://acme/train.jsonl", **spec}
    return {
        "apiVersion": "tuneops.dev/v1",
        "kind": "TuningJob",
        "metadata": {"name": "job"},
        "spec": body,
    }


def _gemini(**spec: Any) -> dict[str, Any]:
    body = {"backend": "gemini", "baseModel": "models/gemini-1.5-flash-001-tuning", **spec}
    return {
        "apiVersion": "tuneops.dev/v1",
        "kind": "TuningJob",
        "metadata": {"name": "job"},
        "spec": body,
    }


EXAMPLES = [{"textInput": "I", "output": "II"}, {"textInput": "II", "output": "III"}]

hyper_parameters = st.fixed_dictionaries(
    {},
    optional={
        "epochCount": st.integers(1, 100),
        "learningRateMultiplier": st.floats(0.001, 10.0),
        "adapterSize": st.sampled_from(["ADAPTER_SIZE_ONE", "ADAPTER_SIZE_FOUR"]),
    },
)
vertex_specs = st.fixed_dictionaries(
    {"baseModel": st.sampled_from(["gemini-3.5-flash", "gemini-3.5-flash-lite"])},
    optional={
        "description": st.text(max_size=40),
        "tunedModelDisplayName": st.text(min_size=1, max_size=30),
        "hyperParameters": hyper_parameters,
        "labels": st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
            st.from_regex(r"[a-z0-9_-]{0,8}", fullmatch=True),
            max_size=3,
        ),
    },
)


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=vertex_specs, seed=st.integers(0, 2**32 - 1))
def test_hash_is_stable_under_key_order_quoting_comments_and_style(
    tmp_path: Path, spec: dict[str, Any], seed: int
) -> None:
    document = _vertex(**spec)
    rng = random.Random(seed)
    block = yaml.safe_dump(document, default_flow_style=False, sort_keys=True)
    flow = yaml.safe_dump(_shuffled(document, rng), default_flow_style=True, sort_keys=False)
    quoted = yaml.safe_dump(_shuffled(document, rng), default_style='"', sort_keys=False)
    as_json = json.dumps(_shuffled(document, rng), indent=rng.choice([None, 1, 4]))
    commented = "# leading comment\n" + block.replace("\n", "  # trailing\n", 1)
    hashes = {_hash_of(tmp_path, text) for text in (block, flow, quoted, as_json, commented)}
    assert len(hashes) == 1


def test_integral_floats_hash_like_their_float_spelling(tmp_path: Path) -> None:
    one = _hash_of(tmp_path, [_vertex(hyperParameters={"learningRateMultiplier": 1})])
    one_point_zero = _hash_of(tmp_path, [_vertex(hyperParameters={"learningRateMultiplier": 1.0})])
    assert one == one_point_zero


def test_every_training_field_changes_the_hash(tmp_path: Path) -> None:
    base = _hash_of(tmp_path, [_vertex()])
    variants = {
        "baseModel": _vertex(baseModel="gemini-3.5-flash-lite"),
        "trainingDataset": _vertex(trainingDataset="gs://acme/other.jsonl"),
        "validationDataset": _vertex(validationDataset="gs://acme/val.jsonl"),
        "epochCount": _vertex(hyperParameters={"epochCount": 2}),
        "adapterSize": _vertex(hyperParameters={"adapterSize": "ADAPTER_SIZE_ONE"}),
        "location": _vertex(location="europe-west4"),
        "project": _vertex(project="other-project"),
        "displayName": _vertex(tunedModelDisplayName="x"),
    }
    hashes = {field: _hash_of(tmp_path, [doc]) for field, doc in variants.items()}
    assert base not in hashes.values()
    assert len(set(hashes.values())) == len(hashes)


def test_protect_and_metadata_labels_do_not_change_the_hash(tmp_path: Path) -> None:
    base = _hash_of(tmp_path, [_vertex()])
    protected = _vertex(protect=True)
    protected["metadata"]["labels"] = {"team": "support"}
    assert _hash_of(tmp_path, [protected]) == base


def test_resolved_defaults_hash_like_explicit_values(tmp_path: Path) -> None:
    implicit = _hash_of(tmp_path, [_vertex()])
    explicit = _hash_of(tmp_path, [_vertex(project="acme-ml", location="us-central1")])
    assert implicit == explicit


def test_examples_in_a_file_hash_like_inline_examples_and_track_the_file(tmp_path: Path) -> None:
    inline = _hash_of(tmp_path, [_gemini(trainingData={"examples": EXAMPLES})])
    data = tmp_path / "specs" / "train.jsonl"
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text("\n".join(json.dumps(e) for e in EXAMPLES) + "\n", encoding="utf-8")
    from_file = _hash_of(tmp_path, [_gemini(trainingData={"file": "train.jsonl"})])
    assert from_file == inline
    data.write_text(json.dumps(EXAMPLES[0]) + "\n", encoding="utf-8")
    assert _hash_of(tmp_path, [_gemini(trainingData={"file": "train.jsonl"})]) != inline


def test_hash_is_the_sha256_of_the_documented_canonical_json(tmp_path: Path) -> None:
    import hashlib

    canonical = (
        '{"backend":"vertex","baseModel":"gemini-3.5-flash","location":"us-central1",'
        '"project":"acme-ml","trainingDataset":"gs://acme/train.jsonl"}'
    )
    assert _hash_of(tmp_path, [_vertex()]) == hashlib.sha256(canonical.encode()).hexdigest()


def test_dataset_pins_change_the_hash_and_keep_the_hash_as_written(tmp_path: Path) -> None:
    from tuneops.specs.hashing import with_dataset_pins

    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "job.yaml").write_text(yaml.safe_dump(_vertex()), encoding="utf-8")
    [loaded] = load_specs([tmp_path / "specs"], tmp_path, DEFAULTS).specs
    assert (loaded.written_hash, loaded.unpinned_hash) == (loaded.spec_hash, None)
    first = {"trainingDataset": {"generation": "1", "size": 10, "crc32c": "AAAAAA=="}}
    second = {"trainingDataset": {"generation": "2", "size": 10, "crc32c": "AAAAAA=="}}
    one, two = with_dataset_pins(loaded, first), with_dataset_pins(loaded, second)
    assert len({loaded.spec_hash, one.spec_hash, two.spec_hash}) == 3
    assert one.written_hash == two.written_hash == loaded.spec_hash
    assert with_dataset_pins(loaded, {}) is loaded
