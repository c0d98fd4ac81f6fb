"""`tuneops validate` imports no model, HTTP or schema library (issue 12: start-up).

Counted, not timed: a fresh interpreter runs `validate` and lists the heavy
packages it imported. pydantic alone (import, model classes, validators) made
`validate` of one file cost more than twice its start-up target.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pydantic", "requests", "google", "jsonschema", "urllib3")
PROBE = f"""
import json, sys
from tuneops.cli import main
code = main(sys.argv[1:])
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def _imports_of(*argv: str, cwd: Path) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    result: dict[str, object] = json.loads(run.stderr.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    "argv",
    [
        ("validate", "specs/support-bot.yaml"),  # Vertex, local datasets, a staging bucket
        ("validate",),  # every spec of the example project, Gemini ones included
    ],
    ids=["one-file", "whole-project"],
)
def test_validate_of_valid_specs_imports_no_heavy_package(argv: tuple[str, ...]) -> None:
    assert _imports_of(*argv, cwd=ROOT) == {"code": 0, "heavy": []}
