"""Validating a 200 MB JSONL dataset in bounded memory.

Run by `make bench` (or directly: `python tests/benchmarks/bench_datasets.py [megabytes]`).
Generates a file of multi-turn examples (with a bad line near the end, which
must be found with its line number), checks it with the streaming scanner, and
exits 1 when the peak of Python allocations exceeds 64 MB or the bad line is
missed. Prints the throughput.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from tuneops.datasets.limits import limits_for
from tuneops.datasets.scanner import DatasetRole, scan_file

PEAK_LIMIT = 64 * 1024 * 1024


def generate(path: Path, megabytes: int) -> int:
    """Writes about `megabytes` MB of examples plus one bad line; returns its line number."""
    example = {
        "systemInstruction": {"parts": [{"text": "Answer as a support agent."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "My order has not arrived. " * 20}]},
            {"role": "model", "parts": [{"text": "Sorry to hear that; let me check. " * 20}]},
        ],
    }
    line = (json.dumps(example) + "\n").encode()
    count = megabytes * 1024 * 1024 // len(line)
    with path.open("wb") as out:
        block = line * 1000
        for _ in range(count // 1000):
            out.write(block)
        out.write(b'{"contents": [{"role": "user", "parts": [{"text": "last"}]}]}\n')
    return (count // 1000) * 1000 + 1


def main() -> int:
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.jsonl"
        bad_line = generate(path, megabytes)
        size = path.stat().st_size
        tracemalloc.start()
        started = time.perf_counter()
        scan = scan_file(path, "train.jsonl", DatasetRole.TRAINING, limits_for("gemini-3.5-flash"))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    found = [d.location.line for d in scan.diagnostics]
    print(
        f"{size / 1e6:,.0f} MB, {scan.summary.examples:,} examples in {elapsed:.1f} s "
        f"({size / 1e6 / elapsed:,.0f} MB/s); peak Python memory {peak / 1024:,.0f} KiB"
    )
    if found != [bad_line]:
        print(f"FAIL: expected one problem at line {bad_line}, got {found}")
        return 1
    if peak > PEAK_LIMIT:
        print(f"FAIL: peak memory above {PEAK_LIMIT / 1e6:.0f} MB")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
