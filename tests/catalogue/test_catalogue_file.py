"""The shipped model catalogue: valid, sourced, and the only place a model is named."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tuneops.catalogue import CATALOGUE_FILE, ModelStatus, shipped_catalogue
from tuneops.catalogue.loading import shipped_data

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return loaded


def config_catalogue_defs(catalogue_schema: dict[str, Any]) -> dict[str, Any]:
    """The catalogue's `$defs` as tuneops.yaml's `catalogue:` uses them: prefixed, and
    every fact optional (a group changes only the facts it gives; a fact given
    there without `source` cites tuneops.yaml)."""
    defs = copy.deepcopy(catalogue_schema["$defs"])
    for group in defs["offering"]["properties"].values():
        group.pop("required", None)

    def renamed(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: value.replace("#/$defs/", "#/$defs/catalogue-")
                if key == "$ref"
                else renamed(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [renamed(item) for item in node]
        return node

    return {f"catalogue-{key}": renamed(value) for key, value in defs.items()}


def test_the_shipped_catalogue_satisfies_its_schema() -> None:
    jsonschema.Draft202012Validator(_schema("catalogue")).validate(shipped_data())


def test_tuneops_yaml_takes_catalogue_entries_of_the_same_shape() -> None:
    config = _schema("config")
    derived = config_catalogue_defs(_schema("catalogue"))
    assert {key: config["$defs"][key] for key in derived} == derived


def test_every_fact_cites_a_source_read_on_a_day() -> None:
    data = shipped_data()
    known = set(data["sources"])
    cited = [
        (model["id"], backend, group, facts["source"])
        for model in data["models"]
        for backend, offering in model["backends"].items()
        for group, facts in offering.items()
    ]
    assert cited, "the catalogue names no facts"
    assert [entry for entry in cited if entry[3] not in known] == []
    assert {sunset["source"] for sunset in data["sunsets"].values()} <= known
    preference = [
        (model["id"], limits["source"])
        for model in data["models"]
        for offering in model["backends"].values()
        if (limits := offering.get("datasets", {}).get("preference"))
    ]
    assert preference, "no model has a preference-tuning limit"
    assert [entry for entry in preference if entry[1] not in known] == []


def test_the_recommended_model_was_tunable_on_the_day_the_catalogue_was_read() -> None:
    catalogue = shipped_catalogue()
    model = catalogue.recommended_model("vertex")
    offering = model.on("vertex")
    assert offering is not None
    assert offering.tuning_status(catalogue.read_on, catalogue.window) is ModelStatus.AVAILABLE
    assert offering.datasets is not None and offering.price is not None


def test_every_successor_is_in_the_catalogue() -> None:
    catalogue = shipped_catalogue()
    successors = {
        offering.lifecycle.successor
        for model in catalogue.models
        for offering in model.offerings.values()
        if offering.lifecycle and offering.lifecycle.successor
    }
    assert successors
    assert {name for name in successors if catalogue.find(name) is None} == set()


# A quoted string holding a Gemini model id: `"gemini-2.5-flash"`, `'models/gemini-1.5-…'`.
_MODEL_LITERAL = re.compile(r"""["'][^"'\n]*gemini-[0-9][^"'\n]*["']""")


@pytest.mark.parametrize("package", ["tuneops"])
def test_no_model_id_is_written_into_python_code(package: str) -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _MODEL_LITERAL.search(line)
    ]
    assert found == []


def test_the_catalogue_is_package_data_that_the_wheel_takes_along() -> None:
    # hatch puts every file under the `tuneops` package into the wheel; a file kept
    # elsewhere (like schemas/) would need a force-include in pyproject.toml.
    assert CATALOGUE_FILE.is_file()
    assert CATALOGUE_FILE.resolve().is_relative_to((ROOT / "tuneops").resolve())
