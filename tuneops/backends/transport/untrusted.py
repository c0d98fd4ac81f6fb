"""Text written by a remote service, made safe to show on one line.

A server's error message or a job's error text is printed to terminals, CI logs
and GitHub annotations. A hostile or broken server could send megabytes, ANSI
escape sequences that rewrite the terminal, or bidi overrides that make a line
read differently from what it says; none of that may reach the user as is.
"""

from __future__ import annotations

from tuneops.server_text import LIMIT as MESSAGE_LIMIT
from tuneops.server_text import one_line as visible_line


def one_line(text: str, limit: int = MESSAGE_LIMIT, whole: int | None = None) -> str:
    """`text` with control and bidi characters escaped, cut to `limit` characters.

    `whole` is the length of the message `text` was taken from, when the caller
    passes only its head. A cut message says how long it was, so nobody
    mistakes it for the whole story.
    """
    whole = max(whole or 0, len(text))
    # Escape only what will be shown: a 100 MB message costs no more than its head.
    shown = visible_line(text[: limit + 1])
    if whole <= limit and len(shown) <= limit:
        return shown
    return f"{shown[:limit]}… ({whole} characters in all)"
