"""The envelope of every JSON output: a format version and the command that wrote it.

Scripts branch on `formatVersion`; a field is only ever added within a version.
The shapes are published as JSON Schemas in schemas/output/ (docs/output-formats.md).
"""

from __future__ import annotations

import json
from typing import Any

OUTPUT_FORMAT_VERSION = 1


def json_document(command: str, body: dict[str, Any], *, one_line: bool = False) -> str:
    """JSON text of `body` under the common envelope: pretty, or one line (JSON Lines)."""
    data = {"formatVersion": OUTPUT_FORMAT_VERSION, "command": command, **body}
    return json.dumps(data, indent=None if one_line else 2, ensure_ascii=False)
