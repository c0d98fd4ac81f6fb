"""A fast yes/no answer to "does this instance satisfy the schema?".

`jsonschema` builds an error object for every keyword it evaluates and costs
about a millisecond per spec; at 10,000 specs that is most of `validate`. Valid
documents are the common case, so each schema is compiled once into nested
closures that only answer yes or no; a no (or a schema using a keyword this
module does not know) sends the document to `jsonschema`, which finds and words
every error as before. The checker may therefore be stricter than the schema
without harm, but never laxer: the tests compare both on every golden case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never change whether an instance is valid.
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "title",
        "description",
        "default",
        "examples",
        "patternErrorMessage",
        "errorMessage",
        "markdownDescription",
    }
)


class UnsupportedSchemaError(Exception):
    """The schema uses a keyword this checker does not implement."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or float(v).is_integer()),
}


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema defines it: `true` is not `1`, containers compare deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def ref(self, target: str) -> Check:
        if target not in self.refs:
            if not target.startswith("#/"):
                raise UnsupportedSchemaError(f"$ref {target}")
            node: Any = self.root
            for part in target[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            holder: list[Check] = []
            self.refs[target] = lambda v: holder[0](v)  # resolved below; allows recursion
            holder.append(self.compile(node))
        return self.refs[target]

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, Mapping):
            raise UnsupportedSchemaError(repr(schema))
        compiled = (self._keyword(schema, key) for key in schema if key not in _ANNOTATIONS)
        checks = [check for check in compiled if check is not None]
        if len(checks) == 1:
            return checks[0]

        def every(v: Any) -> bool:
            for check in checks:  # noqa: SIM110 (a generator costs more than the checks)
                if not check(v):
                    return False
            return True

        return every

    def _keyword(self, schema: Mapping[str, Any], key: str) -> Check | None:
        value = schema[key]
        match key:
            case "type":
                kinds = [_TYPES[n] for n in ([value] if isinstance(value, str) else value)]
                if len(kinds) == 1:
                    return kinds[0]
                return lambda v: any(kind(v) for kind in kinds)
            case "const":
                return lambda v: json_equal(v, value)
            case "enum":
                if all(isinstance(option, str) for option in value):
                    members = frozenset(value)  # strings: equality is plain membership
                    return lambda v: isinstance(v, str) and v in members
                return lambda v: any(json_equal(v, option) for option in value)
            case "$ref":
                return self.ref(value)
            case "properties":
                props = [(name, self.compile(sub)) for name, sub in value.items()]

                def properties(v: Any) -> bool:
                    if not isinstance(v, dict):
                        return True
                    for name, check in props:  # noqa: SIM110 (as above)
                        if name in v and not check(v[name]):
                            return False
                    return True

                return properties
            case "required":
                return lambda v: not isinstance(v, dict) or all(name in v for name in value)
            case "additionalProperties":
                known = set(schema.get("properties", {}))
                if "patternProperties" in schema:
                    raise UnsupportedSchemaError("patternProperties")
                extra = self.compile(value)
                return lambda v: (
                    not isinstance(v, dict)
                    or all(extra(v[name]) for name in v if name not in known)
                )
            case "propertyNames":
                key_check = self.compile(value)
                return lambda v: not isinstance(v, dict) or all(key_check(name) for name in v)
            case "maxProperties":
                return lambda v: not isinstance(v, dict) or len(v) <= value
            case "pattern":
                return _pattern(value)
            case "minLength":
                return lambda v: not isinstance(v, str) or len(v) >= value
            case "maxLength":
                return lambda v: not isinstance(v, str) or len(v) <= value
            case "minimum":
                return lambda v: not _is_number(v) or v >= value
            case "maximum":
                return lambda v: not _is_number(v) or v <= value
            case "exclusiveMinimum":
                return lambda v: not _is_number(v) or v > value
            case "exclusiveMaximum":
                return lambda v: not _is_number(v) or v < value
            case "items":
                item = self.compile(value)
                return lambda v: not isinstance(v, list) or all(item(x) for x in v)
            case "minItems":
                return lambda v: not isinstance(v, list) or len(v) >= value
            case "maxItems":
                return lambda v: not isinstance(v, list) or len(v) <= value
            case "uniqueItems":
                return _unique if value else None
            case "oneOf":
                options = [self.compile(sub) for sub in value]
                return lambda v: sum(1 for option in options if option(v)) == 1
            case "anyOf":
                options = [self.compile(sub) for sub in value]
                return lambda v: any(option(v) for option in options)
            case "allOf":
                options = [self.compile(sub) for sub in value]
                return lambda v: all(option(v) for option in options)
            case "not":
                inner = self.compile(value)
                return lambda v: not inner(v)
            case "if":
                condition = self.compile(value)
                then = self.compile(schema.get("then", True))
                otherwise = self.compile(schema.get("else", True))
                return lambda v: then(v) if condition(v) else otherwise(v)
            case "then" | "else":
                return None  # evaluated with "if"
            case _:
                raise UnsupportedSchemaError(key)


def _unique(value: Any) -> bool:
    """No two items of a list are equal (JSON Schema's `uniqueItems`)."""
    if not isinstance(value, list):
        return True
    return not any(json_equal(a, b) for i, a in enumerate(value) for b in value[i + 1 :])


def compile_schema(schema: Mapping[str, Any]) -> Check | None:
    """A yes/no checker for `schema`, or None when it uses an unsupported keyword."""
    try:
        return _Compiler(schema).compile(schema)
    except UnsupportedSchemaError:
        return None


def _pattern(pattern: str) -> Check:
    """A `pattern` check that compiles its regex on the first string it sees: most
    of the schema's patterns belong to keys a given spec does not write, and
    compiling them all cost `validate` of one file milliseconds at start-up."""
    regex: re.Pattern[str] | None = None

    def check(v: Any) -> bool:
        nonlocal regex
        if not isinstance(v, str):
            return True
        if regex is None:
            regex = re.compile(pattern)
        return regex.search(v) is not None

    return check
