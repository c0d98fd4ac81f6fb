"""Partial responses: the `fields` system parameter of Google's JSON APIs.

`fields=nextPageToken,items(name,generation)` keeps only those members of the
answer; `a/b` is `a(b)`, and a selection applies to every element of a list.
Google's front end answers a mask it cannot parse with a 400, so does this.
"""

from __future__ import annotations

import re
from typing import Any

# name → what to keep of its value (None: all of it).
Mask = dict[str, "Mask | None"]

_TOKEN = re.compile(r"\s*([A-Za-z_$*][\w$*.-]*|[(),/])")


class MaskError(ValueError):
    """The mask does not parse."""


def parse_mask(text: str) -> Mask:
    """The selection a `fields` value describes; `MaskError` if it does not parse."""
    tokens = _tokens(text)
    mask, position = _selection(tokens, 0)
    if position != len(tokens):
        raise MaskError(text)
    return mask


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text.rstrip()):
        found = _TOKEN.match(text, position)
        if found is None:
            raise MaskError(text)
        tokens.append(found.group(1))
        position = found.end()
    return tokens


def _selection(tokens: list[str], position: int) -> tuple[Mask, int]:
    mask: Mask = {}
    while True:
        path: list[str] = []
        while True:
            if position >= len(tokens) or tokens[position] in "(),/":
                raise MaskError(" ".join(tokens))
            path.append(tokens[position])
            position += 1
            if position < len(tokens) and tokens[position] == "/":
                position += 1
                continue
            break
        inner: Mask | None = None
        if position < len(tokens) and tokens[position] == "(":
            inner, position = _selection(tokens, position + 1)
            if position >= len(tokens) or tokens[position] != ")":
                raise MaskError(" ".join(tokens))
            position += 1
        _merge(mask, path, inner)
        if position < len(tokens) and tokens[position] == ",":
            position += 1
            continue
        return mask, position


def _merge(mask: Mask, path: list[str], inner: Mask | None) -> None:
    head, rest = path[0], path[1:]
    if rest:
        below = mask.get(head, {})
        if below is None:  # the whole member is kept already
            return
        _merge(below, rest, inner)
        mask[head] = below
    elif head not in mask or inner is None:
        mask[head] = inner
    else:
        existing = mask[head]
        if existing is not None:
            existing.update(inner)


def select(value: Any, mask: Mask | None) -> Any:
    """What of `value` the mask keeps (lists: element by element)."""
    if mask is None or "*" in mask:
        return value
    if isinstance(value, list):
        return [select(item, mask) for item in value]
    if isinstance(value, dict):
        return {key: select(value[key], inner) for key, inner in mask.items() if key in value}
    return value
