"""How a line of diagnostics looks on stderr: text (the default) or one JSON object.

`--log-format json` (or `TUNEOPS_LOG_FORMAT=json`) makes every command write its
diagnostics, progress and warnings as one JSON object per line, for log
collectors (Loki, Cloud Logging, Elasticsearch). The fields are documented in
docs/running-on-a-schedule.md ("Logs"); a field that does not apply is left out.
Secrets are masked before a line is built, in both forms (`Console.scrub`).

The bottom layer: it imports nothing from tuneops.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable, Mapping

LOG_FORMAT_ENV = "TUNEOPS_LOG_FORMAT"

# The optional fields a line may carry, in the order they are written.
FIELDS = (
    "spec",
    "job",
    "action",
    "note",
    "kind",
    "request_id",
    "duration",
    "service",
    "code",
    "cycle",
    "port",
)


class LogFormat(str, enum.Enum):
    """The two forms of stderr."""

    TEXT = "text"
    JSON = "json"


def log_format(flag: str | None, env: Mapping[str, str]) -> LogFormat:
    """The flag's format, else `TUNEOPS_LOG_FORMAT`'s, else text; ValueError names a bad one."""
    chosen = flag or env.get(LOG_FORMAT_ENV) or LogFormat.TEXT.value
    try:
        return LogFormat(chosen.strip().lower())
    except ValueError:
        raise ValueError(
            f"{LOG_FORMAT_ENV}={chosen!r}: the log format is 'text' or 'json'; tuneops writes text"
        ) from None


def level_of(text: str) -> str:
    """The level a plain diagnostic line says it has: `error: …`, `warning: …`, else info."""
    for level in ("error", "warning"):
        if text.startswith(f"{level}:"):
            return level
    return "info"


def utc_now() -> dt.datetime:
    """Now, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def json_line(
    level: str,
    event: str,
    message: str,
    fields: Mapping[str, object],
    scrub: Callable[[str], str],
    now: dt.datetime,
) -> str:
    """One JSON object: time (RFC 3339, UTC, milliseconds), level, event, message, then
    the known `fields` that are set; every string passes through `scrub`."""
    data: dict[str, object] = {
        "time": now.astimezone(dt.timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "level": level,
        "event": event,
        "message": scrub(message),
    }
    for key in FIELDS:
        value = fields.get(key)
        if value is None or value == "":
            continue
        data[key] = scrub(value) if isinstance(value, str) else value
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"))
