"""Large projects for the benchmarks: N spec files, and their jobs seeded into an emulator.

The jobs go straight into the emulator's SQLite state file (as its create handler
would store them), so that setting up 20,000 remote jobs takes seconds, not the
hours that 20,000 paced creates would. The emulator then runs in its own process,
so that what a benchmark measures of tuneops is tuneops alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Vertex AI regions: quotas (and so the client's pacing) are per project and region.
ALL_REGIONS = (
    "us-central1", "us-east1", "us-east4", "us-west1", "us-west4", "europe-west1",
    "europe-west4", "asia-east1", "asia-northeast1", "australia-southeast1", "us-east5",
    "us-south1", "us-west2", "us-west3", "northamerica-northeast1", "northamerica-northeast2",
    "southamerica-east1", "southamerica-west1", "europe-west2", "europe-west3", "europe-west6",
    "europe-west8", "europe-west9", "europe-west10", "europe-west12", "europe-north1",
    "europe-central2", "europe-southwest1", "asia-east2", "asia-northeast2", "asia-northeast3",
    "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast2",
    "me-central1", "me-central2", "me-west1", "africa-south1",
)  # fmt: skip
REGIONS = ALL_REGIONS[:10]
PROJECT = "bench-ml"
STACK = "bench"
TOKEN = "bench-token"


def spec_text(index: int, epochs: int = 3, regions: int = len(REGIONS)) -> str:
    """One Vertex spec file, of the size and shape of a real one, in one of `regions` regions."""
    name = f"job-{index:05d}"
    return (
        "# yaml-language-server: $schema=../schemas/spec.schema.json\n"
        "apiVersion: tuneops.dev/v1\n"
        "kind: TuningJob\n"
        "metadata:\n"
        f"  name: {name}\n"
        f"  labels: {{team: team-{index % 17}, tier: standard}}\n"
        "spec:\n"
        "  baseModel: gemini-3.5-flash\n"
        f"  location: {ALL_REGIONS[index % regions]}\n"
        f"  trainingDataset: gs://bench-tuning/{name}/train.jsonl\n"
        f"  validationDataset: gs://bench-tuning/{name}/val.jsonl\n"
        f"  tunedModelDisplayName: {name}\n"
        f"  description: Benchmark job number {index}, tuned for the scale tests.\n"
        "  hyperParameters:\n"
        f"    epochCount: {epochs}\n"
        "    learningRateMultiplier: 1.0\n"
        "    adapterSize: ADAPTER_SIZE_FOUR\n"
        "  labels:\n"
        f"    cost-center: cc-{1000 + index % 50}\n"
    )


def write_project(
    root: Path, count: int, endpoint: str = "embedded", *, regions: int = len(REGIONS)
) -> Path:
    """A project with `count` spec files (one spec each) under root/specs."""
    specs = root / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    config = {
        "stack": STACK,
        "specs": "specs",
        "lockfile": "tuneops.lock",
        "defaults": {"backend": "vertex", "project": PROJECT, "location": "us-central1"},
        "vertex": {"endpoint": endpoint},
        "gemini": {"endpoint": endpoint},
        "guards": {"maxCancel": 100_000, "maxCreate": 100_000},
    }
    (root / "tuneops.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    for index in range(count):
        text = spec_text(index, regions=regions)
        (specs / f"job-{index:05d}.yaml").write_text(text, encoding="utf-8")
    return root


def set_endpoint(root: Path, endpoint: str, *, storage: bool = False) -> None:
    """Points the project's backends (and with `storage`, Cloud Storage) at `endpoint`."""
    path = root / "tuneops.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["vertex"] = config["gemini"] = {"endpoint": endpoint}
    if storage:
        config["storage"] = {"endpoint": endpoint}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")


DATASET_LINE = (
    b'{"contents": [{"role": "user", "parts": [{"text": "Hello"}]}, '
    b'{"role": "model", "parts": [{"text": "Hi, how can I help?"}]}]}\n'
)


def seed_datasets(count: int, state_path: Path) -> None:
    """Stores the gs:// datasets the first `count` specs name in an emulator state file.

    An apply pins every gs:// dataset (issue 14) and refuses to create from a
    missing one, so a benchmark of creates needs them in the emulated bucket.
    """
    from tuneops.emulator.config import EmulatorConfig
    from tuneops.emulator.state import EmulatorState

    state = EmulatorState(EmulatorConfig(state_path=state_path))
    objects, now = state.store.objects, state.now_us()
    for index in range(count):
        for kind in ("train", "val"):
            objects.put(
                "bench-tuning",
                f"job-{index:05d}/{kind}.jsonl",
                DATASET_LINE * 4,
                "application/jsonl",
                now,
            )
    state.close()


def dataset_pins(state_path: Path, uris: dict[str, str]) -> dict[str, dict[str, object]]:
    """The pins (generation, size, crc32c, example count, tokens) of stored objects.

    What `plan` would pin for field → gs:// URI, read straight from the state
    file, so that a seeded lockfile records pinned revisions as an apply would.
    """
    import io

    from tuneops.datasets.limits import limits_for
    from tuneops.datasets.scanner import DatasetRole, scan_stream
    from tuneops.emulator.config import EmulatorConfig
    from tuneops.emulator.state import EmulatorState

    state = EmulatorState(EmulatorConfig(state_path=state_path))
    pins: dict[str, dict[str, object]] = {}
    try:
        for field, uri in uris.items():
            bucket, _, name = uri.removeprefix("gs://").partition("/")
            found = state.store.objects.get(bucket, name)
            assert found is not None, uri
            data = state.store.objects.data(found)
            role = DatasetRole.VALIDATION if field == "validationDataset" else DatasetRole.TRAINING
            scan = scan_stream(io.BytesIO(data), uri, role, limits_for("gemini-3.5-flash"))
            pins[field] = {
                "generation": str(found.generation),
                "size": found.size,
                "crc32c": found.crc32c,
                "exampleCount": scan.summary.examples,
                "estimatedTokens": scan.summary.estimated_tokens,
            }
    finally:
        state.close()
    return pins


def seed_jobs(root: Path, state_path: Path, *, older: bool = True, pinned: bool = False) -> int:
    """Stores a succeeded job for every spec (and an older-hash one) in an emulator state file,
    and writes the lockfile that records the current ones: a project in sync.

    With `pinned`, the specs' gs:// datasets are stored first (`seed_datasets`)
    and every job and lockfile revision is of the spec pinned to them, as an
    apply of today makes them: a plan then reads every pin from the remote.

    Returns the number of jobs stored.
    """
    from tuneops.backends.shared import identity
    from tuneops.backends.vertex.request import build_body
    from tuneops.core.jobs import RemoteJob
    from tuneops.core.transitions import record_found
    from tuneops.emulator.config import EmulatorConfig
    from tuneops.emulator.lifecycle import Timeline
    from tuneops.emulator.state import EmulatorState
    from tuneops.emulator.store import JobRecord
    from tuneops.lockfile.file import Lockfile, write_lockfile
    from tuneops.project.file import require_project
    from tuneops.runtime.pinning import pinned_uris
    from tuneops.specs.hashing import with_dataset_pins
    from tuneops.specs.kinds import BackendKind, JobState
    from tuneops.specs.loader import load_specs

    project = require_project(root / "tuneops.yaml")
    specs = load_specs([project.specs_dir], project.root, project.config.defaults).require_valid()
    if pinned:
        seed_datasets(len(specs), state_path)
        specs = tuple(with_dataset_pins(s, dataset_pins(state_path, pinned_uris(s))) for s in specs)
    state = EmulatorState(EmulatorConfig(state_path=state_path, queue_seconds=0, job_seconds=0))
    number = state.project_number(PROJECT)
    store = state.store
    now = state.now_us() - 3_600_000_000
    stored = 0
    entries = {}
    store._db.execute("BEGIN")  # one transaction: 20,000 commits would take minutes
    for spec in specs:
        hashes = [spec.spec_hash]
        if older:
            hashes.insert(0, "0" * 64)
        for spec_hash in hashes:
            seq = store.next_seq()
            parent = f"projects/{number}/locations/{spec.spec.location}"  # type: ignore[union-attr]
            job_identity = identity.Identity(
                STACK, spec.name, spec_hash[: identity.HASH_LENGTH], spec.protect, f"{seq:016x}"
            )
            body = build_body(spec, job_identity)
            create_us = now + seq
            timeline = Timeline.schedule(create_us, 0.0, 0.0, False)
            record = JobRecord(
                name=f"{parent}/tuningJobs/{9_000_000_000 + seq}",
                api="vertex",
                parent=parent,
                seq=seq,
                timeline=timeline,
                resource=body,
                extra={
                    "model": f"{parent}/models/{8_000_000_000 + seq}@1",
                    "experiment": f"{parent}/metadataStores/default/contexts/bench-{seq}",
                    "dataStats": {},
                },
                endpoint=f"{parent}/endpoints/{7_000_000_000 + seq}",
            )
            store.insert(record)
            stored += 1
            if spec_hash == spec.spec_hash:
                job = RemoteJob(
                    backend=BackendKind.VERTEX,
                    name=record.name,
                    spec_name=spec.name,
                    spec_hash=spec_hash[: identity.HASH_LENGTH],
                    stack=STACK,
                    protect=spec.protect,
                    state=JobState.SUCCEEDED,
                    model=record.extra["model"],
                    endpoint=record.endpoint,
                )
                entries[spec.name] = record_found(Lockfile(STACK), spec, job).entries[spec.name]
    store._db.execute("COMMIT")
    state.close()
    write_lockfile(root / "tuneops.lock", Lockfile(STACK, entries))
    return stored


@dataclass
class Emulator:
    """An emulator process serving one state file."""

    process: subprocess.Popen[str]
    url: str


@contextmanager
def emulator_process(state_path: Path | None, *extra: str) -> Iterator[Emulator]:
    """`tuneops emulator` on a free port in its own process; stopped on exit."""
    args = [sys.executable, "-m", "tuneops", "emulator", "--port", "0", "--no-auth", *extra]
    if state_path is not None:
        args += ["--state", str(state_path)]
    process = subprocess.Popen(
        args,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("listening on http://"):
        process.kill()
        raise SystemExit(f"emulator did not start: {line!r}")
    try:
        yield Emulator(process, line.split(" ", 2)[2].strip())
    finally:
        process.terminate()
        process.wait(10)


@dataclass(frozen=True)
class Measured:
    """One run of a command: its exit code, wall and CPU seconds, peak RSS in MiB."""

    code: int
    wall: float
    cpu: float
    rss_mib: float
    stdout: str
    stderr: str


def tuneops_env() -> dict[str, str]:
    """The environment a benchmarked tuneops runs in (a token the emulator accepts)."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "TUNEOPS_ACCESS_TOKEN": TOKEN}


# Linux charges a process the peak RSS of the process that spawned it (exec
# records the old address space's high-water mark), so a benchmark that has
# just seeded 20,000 jobs would see its own memory in the command's peak. The
# command is therefore started by a small launcher, and measured by it.
_LAUNCHER = """
import json, os, subprocess, sys
with open(sys.argv[1], "w") as report:
    process = subprocess.Popen(sys.argv[2:])
    _, status, usage = os.wait4(process.pid, 0)
    json.dump({"status": status, "cpu": usage.ru_utime + usage.ru_stime,
               "maxrss": usage.ru_maxrss}, report)
"""


def run(
    args: Sequence[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> Measured:
    """Runs a command to its end, measured as a whole program (wait4: CPU and peak RSS)."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        report = Path(scratch) / "usage.json"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(report), *args],
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env or tuneops_env(),
            check=True,
        )
        wall = time.perf_counter() - started
        usage = json.loads(report.read_text(encoding="utf-8"))
        out.seek(0)
        err.seek(0)
        return Measured(
            code=os.waitstatus_to_exitcode(usage["status"]),
            wall=wall,
            cpu=usage["cpu"],
            rss_mib=usage["maxrss"] / 1024,
            stdout=out.read(),
            stderr=err.read(),
        )


def tuneops(*args: str) -> list[str]:
    """The argv of a tuneops command run from the source tree."""
    return [sys.executable, "-m", "tuneops", *args]


def exponent(small: tuple[int, float], large: tuple[int, float]) -> float:
    """The growth exponent k in time ~ size**k between two measurements."""
    import math

    (n1, t1), (n2, t2) = small, large
    return math.log(t2 / t1) / math.log(n2 / n1)
