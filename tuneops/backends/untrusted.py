"""Text written by a remote service, made safe to show on one line.

A server's error message or a job's error text is printed to terminals, CI logs
and GitHub annotations. A hostile or broken server could send megabytes, ANSI
escape sequences that rewrite the terminal, or bidi overrides that make a line
read differently from what it says; none of that may reach the user as is.
"""

from __future__ import annotations

import unicodedata

# Enough for any real Google error message; a longer one is noise or an attack.
MESSAGE_LIMIT = 300

# Bidirectional controls (Trojan Source, CVE-2021-42574) and zero-width marks.
_INVISIBLE = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)


def _escaped(char: str) -> str:
    if char in "\n\r\t":
        return " "  # one line: breaks become spaces
    if char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def one_line(text: str, limit: int = MESSAGE_LIMIT, whole: int | None = None) -> str:
    """`text` with control and bidi characters escaped, cut to `limit` characters.

    `whole` is the length of the message `text` was taken from, when the caller
    passes only its head. A cut message says how long it was, so nobody
    mistakes it for the whole story.
    """
    whole = max(whole or 0, len(text))
    # Escape only what will be shown: a 100 MB message costs no more than its head.
    shown = "".join(_escaped(char) for char in text[: limit + 1])
    if whole <= limit and len(shown) <= limit:
        return shown
    return f"{shown[:limit]}… ({whole} characters in all)"
