"""Keeping credentials out of every message, log line and repr.

Secrets are registered here by the auth providers the moment they are known
(static token, API key, each refreshed access token); every error text and log
line of the backends goes through `redact` before it leaves. The registry is
process-wide on purpose: an error raised by one backend must not show the token
of another.
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tuneops.server_text import MASK
from tuneops.server_text import redact as redact_text

# Query parameters that carry credentials in Google APIs and OAuth.
SECRET_PARAMS = frozenset({"key", "api_key", "apikey", "access_token", "token", "sig"})

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(secret: str | None) -> None:
    """Remembers `secret` so that `redact` masks it from now on, however short.

    A short key masks ordinary text that happens to contain it too; showing a
    little too little beats showing a credential.
    """
    if secret:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    """`text` with every registered secret, every scheme-named credential and every
    token-shaped value masked (`tuneops.server_text.redact`: one rule for every
    service's text, GitHub's included)."""
    with _lock:
        secrets = tuple(_secrets)
    return redact_text(text, secrets)


def redact_url(url: str) -> str:
    """`url` with credential query parameters masked, then `redact`ed."""
    parts = urlsplit(url)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if any(k.lower() in SECRET_PARAMS for k, _ in pairs):
            cleaned = [(k, MASK if k.lower() in SECRET_PARAMS else v) for k, v in pairs]
            parts = parts._replace(query=urlencode(cleaned, safe='<>*:"='))
    if "@" in parts.netloc:
        # user:password@host — keep only the host and port.
        parts = parts._replace(netloc=f"{MASK}@{parts.netloc.rsplit('@', 1)[1]}")
    return redact(urlunsplit(parts))
