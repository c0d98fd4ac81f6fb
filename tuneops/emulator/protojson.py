"""Proto3 JSON the way Google's front ends parse and print it.

Input: lowerCamelCase or the original snake_case names, unknown names rejected
with the real "Cannot find field" text, int64 as a number or a string, enums by
name (or number). Output: lowerCamelCase, int64 as strings, default values left
out. Messages are described by small `Message` schemas in `schemas.py`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from tuneops.emulator.clock import parse_time
from tuneops.emulator.errors import ApiError, JsonObject, bad_request_detail, invalid


class Kind(Enum):
    """Scalar field types, named as Google's parse errors name them."""

    STRING = "TYPE_STRING"
    INT64 = "TYPE_INT64"
    INT32 = "TYPE_INT32"
    DOUBLE = "TYPE_DOUBLE"
    FLOAT = "TYPE_FLOAT"
    BOOL = "TYPE_BOOL"
    TIMESTAMP = "type.googleapis.com/google.protobuf.Timestamp"
    ANY = "type.googleapis.com/google.protobuf.Value"  # opaque: kept and echoed verbatim


@dataclass(frozen=True, slots=True)
class EnumType:
    """A proto enum; the first value is the default and is never printed."""

    full_name: str
    values: tuple[str, ...]
    numbers: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Repeated:
    """A repeated field."""

    item: FieldType


@dataclass(frozen=True, slots=True)
class MapOf:
    """A map<string, V> field."""

    value: FieldType


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a message and where it may appear."""

    type: FieldType
    beta_only: bool = False  # unknown to v1, known to v1beta1
    output_only: bool = False  # accepted on input, ignored
    input_only: bool = False  # never printed
    presence: bool = False  # proto3 `optional`: printed once set, even to its default


@dataclass(frozen=True, slots=True)
class Message:
    """A proto message: its full name (with `{version}`) and its fields by JSON name."""

    full_name: str
    fields: Mapping[str, Field]

    def lookup(self, key: str) -> str | None:
        """The JSON name of the field that `key` names in either spelling."""
        if key in self.fields:
            return key
        return _snake_index(self).get(key)


FieldType = Kind | EnumType | Repeated | MapOf | Message

_INT_TEXT = re.compile(r"-?\d+")
_INT32_RANGE = (-(2**31), 2**31 - 1)
_INT64_RANGE = (-(2**63), 2**63 - 1)
_SNAKE_CACHE: dict[int, dict[str, str]] = {}


def snake_case(name: str) -> str:
    """`tunedModelDisplayName` -> `tuned_model_display_name`."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _snake_index(message: Message) -> dict[str, str]:
    index = _SNAKE_CACHE.get(id(message))
    if index is None:
        index = {snake_case(name): name for name in message.fields}
        _SNAKE_CACHE[id(message)] = index
    return index


@dataclass(frozen=True, slots=True)
class ParseContext:
    """Which API version the request came in on (fields differ between v1 and v1beta1)."""

    version: str

    def type_name(self, field_type: EnumType | Message) -> str:
        return "type.googleapis.com/" + field_type.full_name.format(version=self.version)


def parse_json_body(body: bytes) -> JsonObject:
    """The request body as a JSON object; an empty body counts as `{}`."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except RecursionError:
        raise invalid("Invalid JSON payload received. Nested too deeply.") from None
    except (ValueError, UnicodeDecodeError) as error:
        where = ""
        if isinstance(error, json.JSONDecodeError):
            where = f" at line {error.lineno} column {error.colno}"
        raise invalid(f"Invalid JSON payload received. Unexpected token{where}.") from None
    if not isinstance(data, dict):
        raise invalid("Invalid JSON payload received. Expected an object at the top level.")
    return data


def unknown_name(name: str, path: str) -> ApiError:
    """The real text for a field the message does not have."""
    where = f" at '{path}'" if path else ""
    text = f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.'
    return invalid(text, details=[bad_request_detail(path, text)])


def _invalid_value(path: str, type_name: str, value: object) -> ApiError:
    text = f"Invalid value at '{path}' ({type_name}), {json.dumps(value, ensure_ascii=False)}"
    return invalid(text, details=[bad_request_detail(path, text)])


def parse_message(data: object, message: Message, path: str, ctx: ParseContext) -> JsonObject:
    """Checks `data` against `message` and returns it with canonical names and types.

    Output-only fields are type-checked loosely and dropped, as the real servers
    ignore them on input; a JSON null means "not set".
    """
    if not isinstance(data, dict):
        raise _invalid_value(path, ctx.type_name(message), data)
    result: JsonObject = {}
    for key, value in data.items():
        name = message.lookup(key)
        if name is None or (message.fields[name].beta_only and ctx.version == "v1"):
            raise unknown_name(key, path)
        spec = message.fields[name]
        if value is None or spec.output_only:
            continue
        child = f"{path}.{snake_case(name)}" if path else snake_case(name)
        result[name] = _parse_value(value, spec.type, child, ctx)
    return result


def _parse_value(value: object, field_type: FieldType, path: str, ctx: ParseContext) -> Any:
    if isinstance(field_type, Message):
        return parse_message(value, field_type, path, ctx)
    if isinstance(field_type, Repeated):
        if not isinstance(value, list):
            raise _invalid_value(path, _type_label(field_type.item, ctx), value)
        return [_parse_value(v, field_type.item, f"{path}[{i}]", ctx) for i, v in enumerate(value)]
    if isinstance(field_type, MapOf):
        if not isinstance(value, dict):
            raise _invalid_value(path, _type_label(field_type.value, ctx), value)
        return {
            str(k): _parse_value(v, field_type.value, f"{path}[{k}]", ctx) for k, v in value.items()
        }
    if isinstance(field_type, EnumType):
        return _parse_enum(value, field_type, path, ctx)
    return _parse_scalar(value, field_type, path)


def _type_label(field_type: FieldType, ctx: ParseContext) -> str:
    if isinstance(field_type, (EnumType, Message)):
        return ctx.type_name(field_type)
    if isinstance(field_type, Kind):
        return field_type.value
    return _type_label(
        field_type.item if isinstance(field_type, Repeated) else field_type.value, ctx
    )


def _parse_enum(value: object, enum: EnumType, path: str, ctx: ParseContext) -> str:
    if isinstance(value, str) and value in enum.values:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value in enum.numbers:
        return enum.numbers[value]
    raise _invalid_value(path, ctx.type_name(enum), value)


def _parse_scalar(value: object, kind: Kind, path: str) -> Any:
    if kind is Kind.ANY:
        return value
    if kind is Kind.STRING and isinstance(value, str):
        return value
    if kind is Kind.BOOL and isinstance(value, bool):
        return value
    if kind is Kind.TIMESTAMP and isinstance(value, str) and parse_time(value) is not None:
        return value
    if kind in (Kind.INT64, Kind.INT32):
        number = _as_int(value)
        low, high = _INT64_RANGE if kind is Kind.INT64 else _INT32_RANGE
        if number is not None and low <= number <= high:
            return number
    if kind in (Kind.DOUBLE, Kind.FLOAT):
        real = _as_float(value)
        if real is not None:
            return real
    raise _invalid_value(path, kind.value, value)


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    return None


def _as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    special = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
    if isinstance(value, str):
        if value in special:
            return special[value]
        try:
            return float(value)
        except ValueError:
            return None
    return None


def render_message(data: Mapping[str, Any], message: Message, version: str) -> JsonObject:
    """Prints a parsed message: schema order, int64 as strings, defaults omitted."""
    result: JsonObject = {}
    for name, spec in message.fields.items():
        if name not in data or spec.input_only or (spec.beta_only and version == "v1"):
            continue
        value = _render_value(data[name], spec.type, version)
        if value is None and spec.presence and isinstance(spec.type, Kind):
            value = data[name]  # an int32 or bool set to 0 or false
        if value is not None:
            result[name] = value
    return result


def _render_value(value: Any, field_type: FieldType, version: str) -> Any:
    if isinstance(field_type, Message):
        return render_message(value, field_type, version)  # a set message prints even if empty
    if isinstance(field_type, Repeated):
        items = [_render_value(v, field_type.item, version) for v in value]
        return items or None
    if isinstance(field_type, MapOf):
        entries = {k: _render_value(v, field_type.value, version) for k, v in value.items()}
        return entries or None
    if isinstance(field_type, EnumType):
        return None if value == field_type.values[0] else value
    return _render_scalar(value, field_type)


def _render_scalar(value: Any, kind: Kind) -> Any:
    if kind is Kind.ANY:
        return value
    if value in ("", 0, False) and not isinstance(value, float):
        return None
    if kind is Kind.INT64:
        return str(value)
    if kind in (Kind.DOUBLE, Kind.FLOAT):
        if value == 0.0:
            return None
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return int(value) if value.is_integer() else value
    return value
