"""`tuneops schema`: print a published JSON Schema."""

from __future__ import annotations

import json

from tuneops.console import Console
from tuneops.specs.schemas import SchemaName, load_schema


def schema(which: SchemaName, console: Console) -> int:
    """Prints the schema for specs, the configuration or the lockfile."""
    console.result(json.dumps(load_schema(which), indent=2, ensure_ascii=False))
    return 0
