"""apply of 500 creates through a 429 storm (30% of all requests), then the storm ends.

Targets (issue 12): every create succeeds and none is given up while the
service keeps answering; no spec gets two jobs; once the storm ends the create
rate recovers (the pacer speeds up again). The specs spread over 10 regions;
the storm (a fault with probability 0.3 on every tuningJobs request) lasts
until half the creates are done. Rates come from apply's own output lines;
30 workers, so that a worker waiting for one region's quota does not idle the
others.

    python tests/benchmarks/bench_storm.py [COUNT]   (default: 500)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.scale import (
    PROJECT,
    REGIONS,
    emulator_process,
    seed_datasets,
    set_endpoint,
    tuneops,
    tuneops_env,
    write_project,
)

NOMINAL_PER_SECOND = len(REGIONS) * 57 / 60  # the client's pacing of Vertex AI submissions


def control(url: str, method: str, path: str, body: object = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"{}")


def remote_jobs(url: str) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = []
    for region in REGIONS:
        token = ""
        while True:
            path = f"/v1/projects/{PROJECT}/locations/{region}/tuningJobs?pageSize=1000"
            answer = control(url, "GET", path + (f"&pageToken={token}" if token else ""))
            assert isinstance(answer, dict)
            jobs += answer.get("tuningJobs", [])
            token = answer.get("nextPageToken", "")
            if not token:
                break
    return jobs


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    missed = []
    with tempfile.TemporaryDirectory(prefix="tuneops-bench-storm-") as scratch:
        root = write_project(Path(scratch), count)
        state = Path(scratch) / "storm.db"
        seed_datasets(count, state)
        with emulator_process(state, "--latency-ms", "20") as emu:
            set_endpoint(root, emu.url, storage=True)
            storm = {"path": "/tuningJobs", "kind": "status", "status": 429}
            control(
                emu.url, "POST", "/_emulator/faults", {**storm, "count": 10**9, "probability": 0.3}
            )
            env = {**tuneops_env(), "PYTHONUNBUFFERED": "1"}
            started = time.monotonic()
            process = subprocess.Popen(
                tuneops("-C", str(root), "apply", "--auto-approve", "--parallelism", "30"),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            stamps: list[float] = []
            storm_ended: list[float] = []
            errors: list[str] = []
            assert process.stdout is not None and process.stderr is not None
            reader = threading.Thread(target=lambda: errors.append(process.stderr.read()))  # type: ignore[union-attr]
            reader.start()
            lines = []
            for line in process.stdout:
                lines.append(line)
                if " created " in line:
                    stamps.append(time.monotonic() - started)
                    if len(stamps) == count // 2:
                        control(emu.url, "DELETE", "/_emulator/faults")
                        storm_ended.append(stamps[-1])
            process.wait()
            reader.join()
            jobs = remote_jobs(emu.url)
    failed = [line for line in lines if "✗" in line]
    names = [str(job.get("labels", {}).get("tuneops-name")) for job in jobs]
    end = storm_ended[0] if storm_ended else float("nan")
    during = (count // 2) / end
    # 10 s from 3 s after the storm ended: late enough for the pacer to have recovered,
    # early enough that creates are left for every region (the tail of an apply is
    # a few regions' last jobs and says nothing about the rate).
    after = sum(1 for t in stamps if end + 3.0 <= t < end + 13.0) / 10.0
    print(
        f"storm apply of {count}: exit {process.returncode}, {len(stamps)} created, "
        f"{len(failed)} failed, {len(jobs)} remote jobs for {len(set(names))} specs, "
        f"{time.monotonic() - started:.0f} s in all"
    )
    print(
        f"create rate: {during:.1f}/s during the storm (30% of requests 429), {after:.1f}/s "
        f"in the 10 s from 3 s after it ended; pacing allows {NOMINAL_PER_SECOND:.1f}/s "
        f"-> recovered to {after / NOMINAL_PER_SECOND:.0%}"
    )
    if process.returncode != 0 or failed or len(stamps) != count:
        missed.append("not every create succeeded: " + "".join(failed[:3]) + errors[0][-500:])
    if len(jobs) != count or len(set(names)) != count:
        missed.append(f"duplicates: {len(jobs)} jobs for {len(set(names))} specs")
    if after < 0.8 * NOMINAL_PER_SECOND:
        missed.append(f"the rate did not recover: {after:.1f}/s")
    for miss in missed:
        print(f"MISSED: {miss}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
