"""Throughput of the emulator under 16 concurrent clients doing get and list.

Run by `make bench` (or directly: `python tests/benchmarks/bench_emulator.py [seconds]`).
The emulator runs in its own process, as `tuneops emulator` does, so the clients
here do not share its interpreter lock. Each client thread keeps one HTTP/1.1
connection open and alternates a GET of a job with a list page of 10 jobs.
Exits 1 below 500 requests/s or on any error.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

CLIENTS = 16
THRESHOLD = 500.0
JOBS = "/v1/projects/bench/locations/us-central1/tuningJobs"
HEADERS = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
BODY = {
    "baseModel": "gemini-3.5-flash",
    "supervisedTuningSpec": {"trainingDatasetUri": "gs://bench/train.jsonl"},
    "labels": {"tuneops-stack": "bench"},
}


def start_emulator() -> tuple[subprocess.Popen[str], str, int]:
    """`tuneops emulator` on a free port, its request log discarded."""
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "tuneops", "emulator", "--port", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("listening on http://"):
        process.kill()
        raise SystemExit(f"emulator did not start: {line!r}")
    host, port = line.split("http://", 1)[1].strip().rsplit(":", 1)
    return process, host, int(port)


def request(
    connection: http.client.HTTPConnection, method: str, path: str, body: object = None
) -> int:
    payload = json.dumps(body) if body is not None else None
    connection.request(method, path, body=payload, headers=HEADERS)
    response = connection.getresponse()
    response.read()
    return response.status


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    process, host, port = start_emulator()
    try:
        setup = http.client.HTTPConnection(host, port, timeout=10)
        names = []
        for _ in range(50):
            setup.request("POST", JOBS, body=json.dumps(BODY), headers=HEADERS)
            names.append(json.loads(setup.getresponse().read())["name"])
        setup.close()

        done = threading.Event()
        counts = [0] * CLIENTS
        errors = [0] * CLIENTS

        def client(index: int) -> None:
            connection = http.client.HTTPConnection(host, port, timeout=10)
            step = 0
            while not done.is_set():
                if step % 2:
                    path = f"{JOBS}?pageSize=10&filter=labels.tuneops-stack%3D%22bench%22"
                else:
                    path = "/v1/" + names[(index + step) % len(names)]
                try:
                    status = request(connection, "GET", path)
                except (OSError, http.client.HTTPException):
                    status = 0
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=10)
                if status == 200:
                    counts[index] += 1
                else:
                    errors[index] += 1
                step += 1
            connection.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        done.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)

    total, failed = sum(counts), sum(errors)
    rate = total / elapsed
    summary = f"{total} requests, {rate:.0f} requests/s, {failed} errors"
    print(f"{CLIENTS} clients, {elapsed:.1f} s: {summary}")
    if failed or rate < THRESHOLD:
        print(f"FAIL: need >= {THRESHOLD:.0f} requests/s and no errors")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
