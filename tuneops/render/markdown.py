"""Escaping user values for GitHub-flavoured Markdown, so no value can break a comment.

A spec name, label, description or job name may hold `|` (ends a table cell),
a backtick (ends a code span), `<`, `>` and `&` (HTML such as `</details>` or
`<img>`), or `@team` (a mention that would notify people). Every value is
rendered as HTML-escaped text; code is `<code>` with escaped content, because a
Markdown code span cannot hold every character and entities inside it show raw.
"""

from __future__ import annotations

_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "&#124;",
    "`": "&#96;",
    "@": "&#64;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "\\": "&#92;",
    "~": "&#126;",
}


def escape(value: str) -> str:
    """Plain text that renders as itself in Markdown, in tables and inside HTML;
    line breaks become spaces so a value cannot end its table row."""
    flat = " ".join(value.splitlines()) if ("\n" in value or "\r" in value) else value
    return "".join(_ENTITIES.get(char, char) for char in flat)


def code(value: str) -> str:
    """`value` in a monospace span that no character can end early."""
    return f"<code>{escape(value)}</code>"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 action`, `2 actions` (or the given plural form)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"
