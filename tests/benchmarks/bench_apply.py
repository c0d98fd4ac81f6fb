"""apply CPU time at 500 and 2,000 creates: linear in the number of actions.

Target (issue 12): 2,000 creates cost at most 4.5x the CPU of 500. The specs
spread over 40 regions (Vertex AI quotas are per project and region, so the
client's pacing allows 40 x 57 creates a minute; 40 workers keep every region
busy); the emulator
runs in its own process with 20 ms of latency per request, and only the tuneops
process's CPU time is counted.

    python tests/benchmarks/bench_apply.py [SMALL LARGE]   (default: 500 2000)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.scale import (
    Measured,
    emulator_process,
    exponent,
    run,
    seed_datasets,
    set_endpoint,
    tuneops,
    write_project,
)

REGIONS = 40


def apply_creates(scratch: Path, count: int) -> Measured:
    """A fresh project of `count` specs applied against a fresh emulator."""
    root = write_project(scratch / f"apply{count}", count, regions=REGIONS)
    state = scratch / f"apply{count}.db"
    seed_datasets(count, state)
    with emulator_process(state, "--latency-ms", "20") as emu:
        set_endpoint(root, emu.url, storage=True)
        result = run(tuneops("-C", str(root), "apply", "--auto-approve", "--parallelism", "40"))
    if result.code != 0 or f"Apply complete: {count} done, 0 failed" not in result.stdout:
        raise SystemExit(f"apply of {count} failed: {result.stdout[-1500:]}{result.stderr[-1500:]}")
    return result


def main() -> int:
    small, large = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (500, 2000)
    with tempfile.TemporaryDirectory(prefix="tuneops-bench-apply-") as scratch:
        first = apply_creates(Path(scratch), small)
        second = apply_creates(Path(scratch), large)
    ratio = second.cpu / first.cpu
    k = exponent((small, first.cpu), (large, second.cpu))
    for count, measured in ((small, first), (large, second)):
        print(
            f"apply {count:>5} creates: wall {measured.wall:6.1f} s, CPU {measured.cpu:5.2f} s, "
            f"peak RSS {measured.rss_mib:4.0f} MiB"
        )
    allowed = 4.5 * large / 2000 * 500 / small  # the 4.5x for 4x the work
    print(
        f"CPU {large}/{small}: {ratio:.2f}x for {large / small:.0f}x the creates (exponent {k:.2f})"
    )
    if ratio > allowed:
        print(f"MISSED: {ratio:.2f}x > {allowed:.2f}x")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
