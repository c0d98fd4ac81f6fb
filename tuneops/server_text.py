"""Text a server wrote, made safe to print: no credentials, one line, no workflow command.

An error message from GitHub (or any remote service) is printed to a terminal
and to a CI log that the GitHub runner parses. A broken or hostile server can
echo the request's `Authorization` header back, send a newline followed by
`::error::` (a forged workflow command), or ANSI escapes that rewrite the
terminal. `clean` masks credential-shaped values and the secrets the caller
names (before cutting, so half a token never shows), escapes control and bidi
characters so the text is one visible line, strips a leading `::`, and cuts it.

The bottom layer: it imports nothing from tuneops, so every part may use it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MASK = "<redacted>"
LIMIT = 300  # enough for any real error message; a longer one is noise or an attack
# Only this much of a message is read at all: redaction sees a token whole even
# when it straddles LIMIT, and a 100 MB message costs no more than its head.
_READ = 16 * 1024

# Credentials named by a scheme, and the shapes of GitHub and Google tokens.
_SCHEMED = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+|\b(token)\s+[\w.~+/=-]{20,}")
_SHAPED = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9_]{10,}|github_pat_[A-Za-z0-9_]{10,}|ya29\.[A-Za-z0-9._~+/-]+)"
)

# Bidirectional controls (Trojan Source, CVE-2021-42574) and zero-width marks.
_INVISIBLE = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with each of `secrets`, every scheme-named credential (`Bearer …`,
    `Basic …`, `token …`) and every GitHub- or Google-token-shaped value masked."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _SCHEMED.sub(lambda m: f"{m.group(1) or m.group(2)} {MASK}", text)
    return _SHAPED.sub(MASK, text)


def _escaped(char: str) -> str:
    if char in "\n\r\t":
        return " "  # one line: breaks become spaces
    if char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def one_line(text: str) -> str:
    """`text` as one visible line: breaks become spaces, other control and bidi
    characters are shown escaped (`\\x1b`), and a leading `::` is dropped, so that
    the runner cannot read it as a workflow command."""
    line = "".join(_escaped(char) for char in text).strip()
    while line.startswith("::"):
        line = line[2:].lstrip()
    return line


def clean(text: str, secrets: Iterable[str] = (), limit: int = LIMIT) -> str:
    """`text` redacted (`redact`), made one line (`one_line`) and cut to `limit`
    characters; a cut text says how long the whole was."""
    shown = one_line(redact(text[:_READ], secrets))
    if len(text) <= _READ and len(shown) <= limit:
        return shown
    return f"{shown[:limit]}… ({len(text)} characters in all)"
