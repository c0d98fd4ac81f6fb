"""plan at 100, 1,000 and 10,000 specs (2 remote jobs each, lockfile in sync) vs the parse floor.

Every spec names its own training and validation object in one bucket, and its
jobs and lockfile are pinned to them (issue 18), so each plan reads the pins of
20,000 objects from the emulated Cloud Storage as well.

Targets (issue 12): at 10,000 specs, wall time at most 3x the parse floor of the
same files (tests/benchmarks/parse_floor.py) and peak RSS at most 200 MiB; growth
from 1,000 to 10,000 specs linear (exponent of CPU time at most 1.05). The
remote jobs are seeded straight into the emulator's state file; the emulator
answers in its own process with 20 ms of latency per request, as in the issue.

    python tests/benchmarks/bench_plan.py [SIZES...]   (default: 100 1000 10000)
"""

from __future__ import annotations

import json
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.scale import (
    emulator_process,
    exponent,
    run,
    seed_jobs,
    set_endpoint,
    tuneops,
    write_project,
)

FLOOR_SCRIPT = Path(__file__).with_name("parse_floor.py")


def storage_calls(url: str) -> str:
    """The Cloud Storage requests the emulator counted, by kind: `GET object 3, list 20`."""
    with urllib.request.urlopen(f"{url}/_emulator/requests", timeout=10) as answer:
        counts = json.loads(answer.read())["counts"]
    kinds = {
        "GET /storage/v1/b/{bucket}/o/{object}": "object GETs",
        "GET /storage/v1/b/{bucket}/o": "lists",
    }
    return ", ".join(f"{counts.get(key, 0)} {label}" for key, label in kinds.items())


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1_000, 10_000]
    cpu: dict[int, float] = {}
    missed = []
    with tempfile.TemporaryDirectory(prefix="tuneops-bench-plan-") as scratch:
        for size in sizes:
            root = write_project(Path(scratch) / f"p{size}", size)
            jobs = seed_jobs(root, Path(scratch) / f"state{size}.db", pinned=True)
            with emulator_process(Path(scratch) / f"state{size}.db", "--latency-ms", "20") as emu:
                set_endpoint(root, emu.url, storage=True)
                plan = run(tuneops("-C", str(root), "plan", "--detailed-exitcode"))
                calls = storage_calls(emu.url)
            if plan.code != 0:
                print(plan.stdout[-2000:], plan.stderr[-2000:])
                raise SystemExit(f"plan of {size} specs did not find the project in sync")
            floor = run([sys.executable, str(FLOOR_SCRIPT), str(root)])
            cpu[size] = plan.cpu
            ratio = plan.wall / floor.wall
            print(
                f"plan {size:>6} specs / {jobs:>6} jobs: wall {plan.wall:6.2f} s, "
                f"CPU {plan.cpu:6.2f} s, peak RSS {plan.rss_mib:5.0f} MiB; parse floor "
                f"{floor.wall:5.2f} s wall -> plan/floor {ratio:4.2f}x; storage calls: {calls}"
            )
            if size >= 10_000:
                if ratio > 3.0:
                    missed.append(f"plan/floor {ratio:.2f}x > 3x")
                if plan.rss_mib > 200:
                    missed.append(f"peak RSS {plan.rss_mib:.0f} MiB > 200 MiB")
    if 1_000 in cpu and 10_000 in cpu:
        k = exponent((1_000, cpu[1_000]), (10_000, cpu[10_000]))
        print(
            f"growth 1,000 -> 10,000 specs: CPU x{cpu[10_000] / cpu[1_000]:.1f}, exponent {k:.2f}"
        )
        if k > 1.05:
            missed.append(f"growth exponent {k:.2f} > 1.05")
    for miss in missed:
        print(f"MISSED: {miss}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
