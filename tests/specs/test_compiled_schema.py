"""The fast schema check agrees with jsonschema, so skipping jsonschema loses no error."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuneops.specs.compiled_schema import compile_schema, json_equal
from tuneops.specs.schemas import SchemaName, load_schema
from tuneops.specs.yaml_loader import load_documents

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "specs"


def _documents(paths: list[Path]) -> list[Any]:
    documents: list[Any] = []
    for path in paths:
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue  # never reaches the schema
        # tuneops's own loader: it refuses alias bombs and recursive aliases.
        loaded, _ = load_documents(text, str(path))
        documents += [d.data for d in loaded if d.data is not None]
    return documents


SPEC_DOCUMENTS = _documents(sorted(DATA.rglob("*.yaml")) + sorted((ROOT / "specs").rglob("*.yaml")))


def _verdicts(name: SchemaName, instance: Any) -> tuple[bool, bool]:
    fast = compile_schema(load_schema(name))
    assert fast is not None, f"the {name} schema uses a keyword the fast check lacks"
    return fast(instance), jsonschema.Draft202012Validator(load_schema(name)).is_valid(instance)


@pytest.mark.parametrize("name", ["spec", "config", "lockfile"])
def test_every_published_schema_compiles(name: SchemaName) -> None:
    assert compile_schema(load_schema(name)) is not None


def test_golden_and_example_specs_get_the_same_verdict() -> None:
    assert len(SPEC_DOCUMENTS) > 30
    verdicts = [_verdicts("spec", doc) for doc in SPEC_DOCUMENTS]
    assert all(fast == slow for fast, slow in verdicts)
    # Both kinds are covered: the golden cases hold valid and invalid specs.
    assert {fast for fast, _ in verdicts} == {True, False}


def _pairs(schema: Any, instance: Any) -> list[tuple[Any, Any]]:
    """(subschema, value) for every value reached through `properties` and `items`."""
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        schema = load_schema("spec")["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    found = [(schema, instance)]
    branches = [schema, *schema.get("oneOf", []), schema.get("then", {}), schema.get("else", {})]
    for branch in branches:
        if isinstance(instance, dict):
            for key, sub in branch.get("properties", {}).items():
                if key in instance:
                    found += _pairs(sub, instance[key])
        if isinstance(instance, list) and "items" in branch:
            for item in instance:
                found += _pairs(branch["items"], item)
    return found


def test_every_value_of_every_golden_spec_gets_the_same_verdict_as_its_subschema() -> None:
    defs = load_schema("spec")["$defs"]
    compared = 0
    for document in SPEC_DOCUMENTS:
        for schema, value in _pairs(load_schema("spec"), document):
            rooted = {**schema, "$defs": defs}
            fast = compile_schema(rooted)
            assert fast is not None
            slow = jsonschema.Draft202012Validator(rooted).is_valid(value)
            assert fast(value) == slow, (schema, value)
            compared += 1
    assert compared > 200


LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.floats(-2.0, 20.0, allow_nan=False),
    st.sampled_from(["", "x", "gemini-3.5-flash", "ADAPTER_SIZE_FOUR", "gs://b/t.jsonl"]),
    st.integers(0, 70_000).map(lambda n: "A" * n),
    st.just({}),
    st.just([]),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_mutated_specs_get_the_same_verdict(data: st.DataObject) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(SPEC_DOCUMENTS)))
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(document) if p]
        if not paths or not isinstance(document, dict):
            break
        path = data.draw(st.sampled_from(paths))
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(LEAVES)
    fast, slow = _verdicts("spec", document)
    assert fast == slow


def test_json_equality_keeps_booleans_apart_from_numbers() -> None:
    assert not json_equal(True, 1)
    assert not json_equal(0, False)
    assert json_equal(1, 1.0)
    assert json_equal({"a": [1, True]}, {"a": [1.0, True]})
    assert not json_equal("1", 1)
