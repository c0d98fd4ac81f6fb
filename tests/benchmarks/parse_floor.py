"""The parse floor of a project: what reading its specs and lockfile costs at the least.

PyYAML's C loader on every spec file, a sha256 of each spec's canonical JSON, and
the C loader on the lockfile: no positions, no schema, no models. `plan` is
measured against this (target: at most 3 times it). Prints the seconds taken.

    python tests/benchmarks/parse_floor.py PROJECT_DIR
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import yaml


def parse_floor(root: Path) -> float:
    """Seconds to load and hash every spec under root/specs and load root/tuneops.lock."""
    started = time.perf_counter()
    for path in sorted((root / "specs").rglob("*.yaml")):
        for document in yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader):
            canonical = json.dumps(document["spec"], sort_keys=True, separators=(",", ":"))
            hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    lockfile = root / "tuneops.lock"
    if lockfile.exists():
        yaml.load(lockfile.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


if __name__ == "__main__":
    print(f"{parse_floor(Path(sys.argv[1])):.3f}")
