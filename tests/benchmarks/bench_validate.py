"""validate of 10,000 spec files vs check-jsonschema on the same files and schema.

Target (issue 12): tuneops validate at least 5x faster, with every guarantee of
its validation kept (positions, duplicate keys, alias bombs, tags, size limits,
non-UTF-8: the golden cases under tests/data/specs prove those).

    python tests/benchmarks/bench_validate.py [COUNT]   (default: 10000)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.scale import ROOT, run, tuneops, write_project


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if checker is None:
        raise SystemExit("check-jsonschema is not installed (a dev dependency): make bench")
    with tempfile.TemporaryDirectory(prefix="tuneops-bench-validate-") as scratch:
        root = write_project(Path(scratch), count)
        files = sorted(str(p) for p in (root / "specs").glob("*.yaml"))
        ours = run(tuneops("-C", str(root), "validate"))
        if ours.code != 0:
            raise SystemExit(f"validate failed: {ours.stderr[-2000:]}")
        schema = ROOT / "schemas" / "spec.schema.json"
        theirs = run([checker, "--schemafile", str(schema), *files])
        if theirs.code != 0:
            raise SystemExit(f"check-jsonschema failed: {theirs.stdout[-2000:]}")
    speedup = theirs.wall / ours.wall
    print(
        f"validate {count} files: tuneops {ours.wall:.2f} s wall ({ours.cpu:.2f} s CPU), "
        f"check-jsonschema {theirs.wall:.2f} s wall ({theirs.cpu:.2f} s CPU) "
        f"-> tuneops {speedup:.1f}x faster"
    )
    if speedup < 5.0:
        print(f"MISSED: {speedup:.1f}x < 5x")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
