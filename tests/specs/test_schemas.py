"""The hand-written schemas are the contract; the pydantic models must agree with them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel

from tuneops.project.settings import (
    Guards,
    Pricing,
    ProjectConfig,
    ServiceSettings,
    StorageSettings,
    VertexSettings,
)
from tuneops.specs.models import (
    DatasetFile,
    Defaults,
    Example,
    GeminiHyperParameters,
    GeminiSpec,
    Metadata,
    SmokeExpectation,
    SmokeTest,
    TrainingData,
    VertexHyperParameters,
    VertexSpec,
    VertexTrainingData,
)
from tuneops.specs.schemas import SchemaName, load_schema

SPEC = load_schema("spec")
CONFIG = load_schema("config")
GEMINI = SPEC["$defs"]["geminiSpec"]
VERTEX = SPEC["$defs"]["vertexSpec"]

PAIRS: list[tuple[str, Mapping[str, Any], type[BaseModel]]] = [
    ("vertexSpec", VERTEX, VertexSpec),
    ("vertex hyperParameters", VERTEX["properties"]["hyperParameters"], VertexHyperParameters),
    ("geminiSpec", GEMINI, GeminiSpec),
    ("gemini hyperParameters", GEMINI["properties"]["hyperParameters"], GeminiHyperParameters),
    ("trainingData", GEMINI["properties"]["trainingData"], TrainingData),
    ("example", SPEC["$defs"]["example"], Example),
    ("vertex trainingData", SPEC["$defs"]["vertexTrainingData"], VertexTrainingData),
    ("metadata", SPEC["properties"]["metadata"], Metadata),
    ("smokeTest", VERTEX["properties"]["smokeTest"], SmokeTest),
    (
        "smokeTest.expect",
        VERTEX["properties"]["smokeTest"]["properties"]["expect"],
        SmokeExpectation,
    ),
    ("config", CONFIG, ProjectConfig),
    ("defaults", CONFIG["properties"]["defaults"], Defaults),
    ("vertex settings", CONFIG["properties"]["vertex"], VertexSettings),
    ("gemini settings", CONFIG["properties"]["gemini"], ServiceSettings),
    ("storage settings", CONFIG["properties"]["storage"], StorageSettings),
    ("vertex dataset file", SPEC["$defs"]["vertexDatasetFile"], DatasetFile),
    ("guards", CONFIG["properties"]["guards"], Guards),
    ("pricing", CONFIG["properties"]["pricing"], Pricing),
]


def _aliases(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def _required(model: type[BaseModel]) -> set[str]:
    return {
        field.alias or name for name, field in model.model_fields.items() if field.is_required()
    }


@pytest.mark.parametrize(
    ("schema", "model"), [(s, m) for _, s, m in PAIRS], ids=[n for n, _, _ in PAIRS]
)
def test_model_fields_match_schema_properties(
    schema: dict[str, Any], model: type[BaseModel]
) -> None:
    assert _aliases(model) == set(schema["properties"])
    assert _required(model) == set(schema.get("required", []))
    assert schema.get("additionalProperties") is False


@pytest.mark.parametrize("name", ["spec", "config", "lockfile"])
def test_schemas_are_valid_draft_2020_12_with_id_title_and_descriptions(name: SchemaName) -> None:
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://tuneops.dev/schemas/v1/{name}.schema.json"
    assert schema["title"]


def _undocumented(schema: Any, path: str = "$") -> list[str]:
    """Object properties without a description, which editors would show bare."""
    missing: list[str] = []
    if isinstance(schema, dict):
        for key, sub in schema.get("properties", {}).items():
            bare = isinstance(sub, dict) and not {"description", "$ref", "const"} & set(sub)
            if bare:
                missing.append(f"{path}.{key}")
        for key, sub in schema.items():
            if isinstance(sub, dict) and key != "if":  # `if` only selects a branch
                missing += _undocumented(sub, f"{path}/{key}")
    return missing


def test_every_spec_and_config_field_has_a_description() -> None:
    assert _undocumented(SPEC) == []
    assert _undocumented(CONFIG) == []


def test_enum_values_match_the_model_enums() -> None:
    from tuneops.specs.kinds import BackendKind
    from tuneops.specs.models import AdapterSize

    adapter = VERTEX["properties"]["hyperParameters"]["properties"]["adapterSize"]["enum"]
    assert adapter == [size.value for size in AdapterSize]
    assert VERTEX["properties"]["backend"]["enum"] == [b.value for b in BackendKind]
