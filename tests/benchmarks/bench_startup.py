"""Start-up: `tuneops --help` and `tuneops validate` of one file vs `python -c pass`.

Targets (issue 12): --help at most 4x and validate of one file at most 8x the
time of `python -c pass` (the interpreter's own start-up), each the median of
several runs, measured alternately so that load from elsewhere hits all alike.

    python tests/benchmarks/bench_startup.py [RUNS]   (default: 21)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUNEOPS = Path(sys.executable).with_name("tuneops")


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "tuneops --help": [str(TUNEOPS), "--help"],
        "tuneops validate (1 file)": [str(TUNEOPS), "validate", "specs/support-bot.yaml"],
    }
    # An installed tuneops has its bytecode compiled (pip does it); with
    # PYTHONDONTWRITEBYTECODE set, as on some CI and development machines, every
    # run of a source checkout would compile each module again and measure that.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for argv in commands.values():  # writes the bytecode once
        subprocess.run(argv, cwd=ROOT, env=env, capture_output=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            started = time.perf_counter()
            subprocess.run(
                argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times["python -c pass"])
    missed = []
    for (name, samples), target in zip(times.items(), (1.0, 4.0, 8.0), strict=True):
        median = statistics.median(samples)
        ratio = median / base
        print(f"{name:<27} {median * 1000:6.1f} ms median  {ratio:5.1f}x  (target <= {target:g}x)")
        if ratio > target:
            missed.append(f"{name}: {ratio:.1f}x > {target:g}x")
    for miss in missed:
        print(f"MISSED: {miss}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
