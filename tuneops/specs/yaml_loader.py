"""Safe YAML loading that remembers where every value came from.

PyYAML's loaders forget positions, keep the last of two duplicate keys and, unless
told otherwise, construct arbitrary Python objects. This module composes the node
tree with the safe resolver, builds plain JSON-like data from it by hand, and
records the start of every value and every mapping key by its path, so that a
schema error at `$.spec.hyperParameters.epochCount` can be shown at line and column.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from tuneops.diagnostics import Diagnostic, Location, json_path

Path = tuple[str | int, ...]

# A document may expand aliases into at most this many extra nodes: far beyond any
# honest spec, far below what a "billion laughs" document asks for.
MAX_ALIAS_EXPANSION = 10_000
MAX_DEPTH = 64

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = frozenset({_STR, _NULL, _BOOL, _INT, _FLOAT})


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One YAML document as plain data, with the position of each value and key."""

    file: str
    data: Any
    start: Mark
    # PyYAML's own 0-based marks, converted only when a position is asked for:
    # most documents are valid and never are.
    values: Mapping[Path, yaml.Mark] = field(default_factory=dict)
    keys: Mapping[Path, yaml.Mark] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Location:
        """The position of the value (or, with `key`, of its key) at `path`.

        A path that does not exist (a missing required field) falls back to its
        nearest existing ancestor, which is where the user has to add it.
        """
        probe = path
        while True:
            raw = (self.keys.get(probe) if key else None) or self.values.get(probe)
            if raw is not None or not probe:
                break
            probe = probe[:-1]
        mark = _mark_of(raw) if raw is not None else self.start
        return Location(self.file, mark.line, mark.column, json_path(path))


class _DocumentError(Exception):
    """A problem that stops the conversion of one document."""

    def __init__(self, mark: Mark, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.path = path


def _mark_of(raw: yaml.Mark) -> Mark:
    return Mark(raw.line + 1, raw.column + 1)


def _mark(node: yaml.Node) -> Mark:
    return _mark_of(node.start_mark)


class _Builder:
    """Turns one composed node tree into plain data, collecting positions as it goes."""

    def __init__(self, file: str, anchors: bool = True) -> None:
        self.file = file
        # Without anchors there are no aliases: the per-node alias bookkeeping is skipped.
        self._anchors = anchors
        self.values: dict[Path, yaml.Mark] = {}
        self.keys: dict[Path, yaml.Mark] = {}
        self.problems: list[Diagnostic] = []
        self._seen: set[int] = set()
        self._active: set[int] = set()
        self._expanded = 0
        self._alias_depth = 0
        self._constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: Path) -> Any:
        if not self._anchors:
            if len(path) > MAX_DEPTH:
                raise _DocumentError(_mark(node), f"nesting deeper than {MAX_DEPTH} levels", path)
            self.values.setdefault(path, node.start_mark)
            return self._value(node, path)
        is_alias = id(node) in self._seen
        if id(node) in self._active:
            raise _DocumentError(
                _mark(node), "recursive alias: a value may not contain itself", path
            )
        if len(path) > MAX_DEPTH:
            raise _DocumentError(_mark(node), f"nesting deeper than {MAX_DEPTH} levels", path)
        if is_alias:
            self._alias_depth += 1
        if self._alias_depth:
            self._expanded += 1
            if self._expanded > MAX_ALIAS_EXPANSION:
                raise _DocumentError(
                    _mark(node),
                    f"aliases expand to more than {MAX_ALIAS_EXPANSION} values; "
                    "refusing to load (a YAML alias bomb?)",
                    path,
                )
        self._seen.add(id(node))
        self._active.add(id(node))
        try:
            self.values.setdefault(path, node.start_mark)
            return self._value(node, path)
        finally:
            self._active.discard(id(node))
            if is_alias:
                self._alias_depth -= 1

    def _value(self, node: yaml.Node, path: Path) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _SEQ, path)
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _check_tag(self, node: yaml.Node, expected: str, path: Path) -> None:
        if node.tag != expected:
            raise _DocumentError(_mark(node), _tag_message(node.tag), path)

    def _scalar(self, node: yaml.Node, path: Path) -> Any:
        if node.tag == _TIMESTAMP:
            # Keep dates as the text the user wrote; JSON has no date type.
            return str(node.value)
        if node.tag not in _SCALAR_TAGS:
            raise _DocumentError(_mark(node), _tag_message(node.tag), path)
        if node.tag == _STR:  # most scalars: the constructor would return the text as is
            return _shared(_without_surrogates(node.value, node.start_mark, path))
        value = self._constructor.construct_object(node)
        if isinstance(value, float) and not math.isfinite(value):
            raise _DocumentError(_mark(node), f"{node.value!r} is not a finite number", path)
        if isinstance(value, str):
            return _without_surrogates(value, node.start_mark, path)
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        self._check_tag(node, _MAP, path)
        result: dict[str, Any] = {}
        first_seen: dict[str, yaml.Mark] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.update(self._merge_sources(value_node, path))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _DocumentError(_mark(key_node), "mapping keys must be plain scalars", path)
            if key_node.tag not in _SCALAR_TAGS | {_TIMESTAMP}:
                raise _DocumentError(_mark(key_node), _tag_message(key_node.tag), path)
            # Keys are JSON object keys: keep the text the user wrote (`yes:` stays "yes").
            raw_mark = key_node.start_mark
            # Interned: every spec repeats the same keys, and a plan keeps 10,000 specs.
            key = sys.intern(_without_surrogates(str(key_node.value), raw_mark, path))
            child = (*path, key)
            if key in first_seen:
                first, here = _mark_of(first_seen[key]), _mark_of(raw_mark)
                self.problems.append(
                    Diagnostic(
                        Location(self.file, here.line, here.column, json_path(child)),
                        f"duplicate key {key!r} (first defined at line {first.line}, "
                        f"column {first.column})",
                    )
                )
                continue
            first_seen[key] = raw_mark
            self.keys[child] = raw_mark
            result[key] = self.build(value_node, child)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _merge_sources(self, node: yaml.Node, path: Path) -> dict[str, Any]:
        """Resolves `<<: *anchor` (or a list of anchors); earlier sources win."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):
            if not isinstance(source, yaml.MappingNode):
                raise _DocumentError(_mark(source), "'<<' merges only mappings", path)
            merged.update(self.build(source, path))
        return merged


def _shared(text: str) -> str:
    """Short strings (backends, models, regions, label values) repeat in spec after
    spec: keep one copy, as a plan holds 10,000 specs (issue 18: peak memory)."""
    return sys.intern(text) if len(text) <= _SHARED_LENGTH else text


_SHARED_LENGTH = 40


def _without_surrogates(text: str, raw_mark: yaml.Mark, path: Path) -> str:
    """Joins UTF-16 surrogate pairs from JSON-style escapes (`"\\ud83d\\ude00"`).

    PyYAML keeps such escapes as two lone surrogates, which no encoder accepts;
    a lone surrogate with no partner is an error in the user's file.
    """
    if _SURROGATE.search(text) is None:
        return text
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        message = "string holds an unpaired UTF-16 surrogate escape"
        raise _DocumentError(_mark_of(raw_mark), message, path) from None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _tag_message(tag: str) -> str:
    if tag.startswith("tag:yaml.org,2002:"):
        shown = "!!" + tag.removeprefix("tag:yaml.org,2002:")
    else:
        shown = tag
    return f"the YAML tag {shown} is not allowed; tuneops reads plain YAML data only"


def _syntax_diagnostic(file: str, text: str, error: yaml.YAMLError) -> Diagnostic:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
    elif isinstance(error, yaml.reader.ReaderError):
        line, column = position_of(text, error.position)
    else:
        line, column = 0, 0
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    message = f"invalid YAML: {context}, {problem}" if context else f"invalid YAML: {problem}"
    return Diagnostic(Location(file, line, column), message)


def position_of(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset in `text`."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def load_documents(text: str, file: str) -> tuple[list[YamlDocument], list[Diagnostic]]:
    """Parses every document of a YAML stream.

    Returns the documents that could be read and a diagnostic for each problem.
    A syntax error ends the stream (what follows cannot be trusted); problems
    inside one document (duplicate keys, forbidden tags, alias bombs) are
    reported and the other documents are still read.
    """
    if _FAST_LOADER is not None and _PRINTABLE.fullmatch(text):
        try:
            nodes = yaml.compose_all(text, Loader=_FAST_LOADER)
            return _load_nodes(text, file, nodes, fast=True)
        except _CParserError:
            pass  # a syntax error: PyYAML's own parser words it as users know it
    nodes = yaml.compose_all(text, Loader=yaml.SafeLoader)
    return _load_nodes(text, file, nodes, fast=False)


class _CParserError(Exception):
    """The C parser stopped on an error; the pure-Python parser reports it."""


# libyaml (PyYAML's C extension) composes the node tree about 20 times faster than
# the pure-Python parser, with the same nodes and marks. It reports errors in its
# own words, so a stream it cannot parse is parsed again by the Python parser, and
# characters libyaml would accept but YAML forbids keep the Python reader's check.
_FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
_PRINTABLE = re.compile("[\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def _load_nodes(
    text: str, file: str, nodes: Iterator[yaml.Node], *, fast: bool
) -> tuple[list[YamlDocument], list[Diagnostic]]:
    documents: list[YamlDocument] = []
    problems: list[Diagnostic] = []
    while True:
        try:
            node = next(nodes)
        except StopIteration:
            break
        except yaml.YAMLError as error:
            if fast:
                raise _CParserError from None
            problems.append(_syntax_diagnostic(file, text, error))
            break
        except RecursionError:
            problems.append(
                Diagnostic(Location(file), f"invalid YAML: nested deeper than {MAX_DEPTH} levels")
            )
            break
        builder = _Builder(file, anchors="&" in text)
        try:
            data = builder.build(node, ())
        except _DocumentError as problem:
            problems.extend(builder.problems)
            mark = problem.mark
            location = Location(file, mark.line, mark.column, json_path(problem.path))
            problems.append(Diagnostic(location, problem.message))
            continue
        problems.extend(builder.problems)
        documents.append(YamlDocument(file, data, _mark(node), builder.values, builder.keys))
    return documents, problems
