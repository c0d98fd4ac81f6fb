"""The published JSON Schemas and the diagnostics their violations become.

The schemas in `schemas/` are written by hand; they are the contract for editors
and for validation. Two annotations that editors understand as well shape the
messages here: `patternErrorMessage` (VS Code, yaml-language-server) and
`errorMessage` as a keyword → message map (ajv-errors style).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tuneops.diagnostics import Diagnostic
from tuneops.specs.compiled_schema import Check, compile_schema
from tuneops.specs.yaml_loader import YamlDocument

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

SchemaName = Literal["spec", "config", "lockfile"]

_PACKAGED = Path(__file__).resolve().parents[1] / "_schemas"
_SOURCE_TREE = Path(__file__).resolve().parents[2] / "schemas"


def schema_path(name: SchemaName) -> Path:
    """Where the schema file lives: inside the wheel, or in the source tree."""
    base = _PACKAGED if _PACKAGED.is_dir() else _SOURCE_TREE
    return base / f"{name}.schema.json"


@cache
def load_schema(name: SchemaName) -> Mapping[str, Any]:
    """The parsed schema (cached; schemas never change while tuneops runs)."""
    loaded: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return loaded


@cache
def _validator(name: SchemaName) -> jsonschema.Draft202012Validator:
    import jsonschema  # only when a document fails the fast check: it costs 80 ms to import

    return jsonschema.Draft202012Validator(load_schema(name))


@cache
def _fast_check(name: SchemaName) -> Check | None:
    return compile_schema(load_schema(name))


def schema_errors(name: SchemaName, instance: Any) -> Iterator[ValidationError]:
    """Every violation of the schema, deepest first within each branch."""
    return _validator(name).iter_errors(instance)


def conforms(name: SchemaName, instance: Any) -> bool:
    """True when `instance` satisfies the schema (no diagnostics needed)."""
    fast = _fast_check(name)
    if fast is not None and fast(instance):
        return True
    return bool(_validator(name).is_valid(instance))


def check(name: SchemaName, document: YamlDocument, instance: Any) -> list[Diagnostic]:
    """Validates `instance` (the document's data, possibly with defaults filled in)."""
    fast = _fast_check(name)
    if fast is not None and fast(instance):
        return []
    diagnostics: dict[Diagnostic, None] = {}
    for error in schema_errors(name, instance):
        # `if`/`else` branches may restate a parent's constraint: report it once.
        diagnostics.update(dict.fromkeys(_diagnose(name, document, error)))
    return list(diagnostics)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, dict | list) else json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _custom_message(error: ValidationError) -> str | None:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "pattern" and "patternErrorMessage" in schema:
        return f"{_short(error.instance)} {schema['patternErrorMessage']}"
    messages = schema.get("errorMessage")
    if isinstance(messages, dict) and isinstance(messages.get(error.validator), str):
        return str(messages[error.validator])
    return None


def _message(error: ValidationError) -> str:
    custom = _custom_message(error)
    if custom is not None:
        return custom
    value: Any = error.validator_value
    instance: Any = error.instance
    match error.validator:
        case "required":
            missing = re.match(r"'([^']*)' is a required property", error.message)
            return f"missing required field {missing.group(1)!r}" if missing else error.message
        case "enum":
            return f"{_short(instance)} is not one of: {', '.join(map(str, value))}"
        case "const":
            return f"{_short(instance)} must be {value!r}"
        case "maxLength":
            return f"is {len(instance)} characters long; at most {value} are allowed"
        case "minLength":
            return "must not be empty" if value == 1 else f"needs at least {value} characters"
        case "type":
            kind = value if isinstance(value, str) else " or ".join(value)
            return f"{_short(instance)} is not of type {kind!r}"
        case _:
            return error.message


def _field_names(schema: Mapping[str, Any]) -> set[str]:
    return set(schema.get("properties", {}))


def _other_backend_fields(name: SchemaName) -> dict[str, str]:
    """Field name → the backend it belongs to, for fields only one backend has."""
    if name != "spec":
        return {}
    defs = load_schema("spec")["$defs"]
    vertex, gemini = _field_names(defs["vertexSpec"]), _field_names(defs["geminiSpec"])
    owners = {field: "vertex" for field in vertex - gemini}
    owners.update({field: "gemini" for field in gemini - vertex})
    return owners


def _suggestion(key: str, known: set[str]) -> str:
    camel = re.sub(r"[_-]([a-z0-9])", lambda m: m.group(1).upper(), key)
    folded = {k.lower(): k for k in known}
    if camel in known:
        return f"; did you mean {camel!r}?"
    if key.lower() in folded:
        return f"; did you mean {folded[key.lower()]!r}?"
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _unknown_fields(
    name: SchemaName, document: YamlDocument, error: ValidationError
) -> Iterator[Diagnostic]:
    path = tuple(error.absolute_path)
    instance: Any = error.instance
    known = _field_names(error.schema) if isinstance(error.schema, dict) else set()
    owners = _other_backend_fields(name)
    backend = instance.get("backend") if isinstance(instance, dict) else None
    for key in sorted(set(instance) - known):
        owner = owners.get(key)
        if owner and backend and owner != backend and path == ("spec",):
            message = f"{key!r} is a {owner} field; this spec's backend is {backend}"
        else:
            message = f"unknown field {key!r}{_suggestion(key, known)}"
        yield Diagnostic(document.locate((*path, key), key=True), message)


def _diagnose(
    name: SchemaName, document: YamlDocument, error: ValidationError
) -> Iterator[Diagnostic]:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and error.validator_value is False:
        yield from _unknown_fields(name, document, error)
        return
    if "propertyNames" in error.relative_schema_path:
        # The error is about a key: point at the key, not at the map holding it.
        key: Any = error.instance
        yield Diagnostic(document.locate((*path, key), key=True), _message(error))
        return
    yield Diagnostic(document.locate(path), _message(error))
