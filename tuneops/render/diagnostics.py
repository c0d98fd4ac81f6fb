"""Rendering diagnostics as text lines, JSON, or GitHub workflow commands."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tuneops.diagnostics import Diagnostic


def text_line(diagnostic: Diagnostic) -> str:
    """`FILE:LINE:COL: error: $.json.path: message` (LINE:COL left out when unknown)."""
    return diagnostic.line()


def as_json(diagnostic: Diagnostic) -> dict[str, Any]:
    """The JSON object of one diagnostic."""
    loc = diagnostic.location
    return {
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "path": loc.json_path,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(diagnostic: Diagnostic) -> str:
    """A workflow command that GitHub Actions shows as an annotation on the file."""
    loc = diagnostic.location
    properties = [f"file={_escape_property(loc.file)}"]
    if loc.line:
        properties += [f"line={loc.line}", f"col={loc.column}"]
    properties.append("title=tuneops")
    message = _escape_data(f"{loc.json_path}: {diagnostic.message}")
    return f"::{diagnostic.severity.value} {','.join(properties)}::{message}"


def render_json(diagnostics: Sequence[Diagnostic], **extra: Any) -> str:
    """A JSON document with the diagnostics and any extra top-level fields."""
    body = {**extra, "diagnostics": [as_json(d) for d in diagnostics]}
    return json.dumps(body, indent=2, ensure_ascii=False)
