"""Plain YAML data straight from libyaml's event stream, for large trusted-format files.

The lockfile is YAML that tuneops wrote: mappings, sequences and scalars, no
anchors, aliases or tags. Composing its node tree first (what `yaml_loader`
does, to know every position) costs 25 times the file's size in memory, 260 MiB
for a 10,000-spec lockfile. This builds the data from the events as they come.
Anything outside that plain subset, a duplicate key included, answers None: the
caller then reads the file with `yaml_loader`, which reports it with positions.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = frozenset(
    {
        _STR,
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
    }
)


_SURROGATE = re.compile("[\ud800-\udfff]")  # escapes the full loader joins or refuses


class _NotPlainError(Exception):
    """The stream uses something beyond plain mappings, sequences and scalars."""


class _MapFrame:
    """An open mapping and the key whose value comes next (None: a key comes next)."""

    __slots__ = ("data", "key")

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.key: str | None = None


def load_plain(text: str | bytes) -> Any | None:
    """The single document of `text` as plain data, or None when it is not plain YAML.

    Given bytes, libyaml reads them as they are (UTF-8, or UTF-16 after a byte
    order mark), and invalid UTF-8 answers None like any other reader error;
    given a str, libyaml parses a UTF-8 copy of it.
    """
    loader_class: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        return _build(loader)
    except (yaml.YAMLError, _NotPlainError, RecursionError):
        return None
    finally:
        loader.dispose()


def _build(loader: Any) -> Any:
    constructor = yaml.constructor.SafeConstructor()
    stack: list[_MapFrame | list[Any]] = []
    result: Any = None
    documents = 0
    while not isinstance(event := loader.get_event(), yaml.StreamEndEvent):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _NotPlainError
            continue
        if isinstance(event, yaml.StreamStartEvent | yaml.DocumentEndEvent):
            continue
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _NotPlainError
        value: Any
        if isinstance(event, yaml.MappingStartEvent):
            if event.tag not in (None, "tag:yaml.org,2002:map"):
                raise _NotPlainError
            stack.append(_MapFrame())
            continue
        if isinstance(event, yaml.SequenceStartEvent):
            if event.tag not in (None, "tag:yaml.org,2002:seq"):
                raise _NotPlainError
            stack.append([])
            continue
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = stack.pop()
            value = frame.data if isinstance(frame, _MapFrame) else frame
        elif isinstance(event, yaml.ScalarEvent):
            value = _scalar(loader, constructor, event)
        else:
            raise _NotPlainError
        if not stack:
            result = value
        elif isinstance(top := stack[-1], _MapFrame):
            if top.key is None:
                if not isinstance(value, str) or value in top.data:
                    raise _NotPlainError  # a non-string or duplicate key: the full loader says so
                top.key = sys.intern(value)  # 10,000 entries share a few dozen key strings
            else:
                top.data[top.key] = value
                top.key = None
        else:
            top.append(value)
    return result


def _shared(text: str) -> str:
    """Short strings (states, models, regions) repeat in every entry: keep one copy."""
    return sys.intern(text) if len(text) <= 40 else text


def _scalar(loader: Any, constructor: yaml.constructor.SafeConstructor, event: Any) -> Any:
    plain, _quoted = event.implicit
    if event.tag not in (None, "!"):
        raise _NotPlainError
    if _SURROGATE.search(event.value):
        raise _NotPlainError
    if not plain:
        return _shared(event.value)  # quoted: a string
    tag = loader.resolve(yaml.ScalarNode, event.value, (True, False))
    if tag == _STR:
        return _shared(event.value)
    if tag not in _PLAIN_TAGS:
        raise _NotPlainError  # a timestamp or merge key: not what tuneops writes
    value = constructor.construct_object(yaml.ScalarNode(tag, event.value))
    if isinstance(value, float) and not math.isfinite(value):
        raise _NotPlainError
    return value
