"""A throwaway tuneops project wired to a test emulator, driven like a shell session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import Run, tuneops
from tuneops.emulator import EmulatorHandle

TOKEN = "test-token-5f3a9c"
# What the gs:// datasets of test specs hold: one valid supervised-tuning example.
DATASET_LINE = (
    b'{"contents": [{"role": "user", "parts": [{"text": "I"}]}, '
    b'{"role": "model", "parts": [{"text": "II"}]}]}\n'
)
API_KEY = "test-key-8d2e71"


def vertex_spec(name: str, epochs: int = 3, protect: bool = False) -> dict[str, Any]:
    """A Vertex spec document."""
    spec: dict[str, Any] = {
        "baseModel": "gemini-3.5-flash",
        "trainingDataset": f"gs://acme/{name}.jsonl",
        "hyperParameters": {"epochCount": epochs},
    }
    if protect:
        spec["protect"] = True
    return {
        "apiVersion": "tuneops.dev/v1",
        "kind": "TuningJob",
        "metadata": {"name": name},
        "spec": spec,
    }


def local_vertex_spec(name: str = "bot", epochs: int = 2, **extra: Any) -> dict[str, Any]:
    """A Vertex spec whose training data is the project's local `data/train.jsonl`."""
    return {
        "apiVersion": "tuneops.dev/v1",
        "kind": "TuningJob",
        "metadata": {"name": name},
        "spec": {
            "baseModel": "gemini-3.5-flash",
            "trainingData": {"file": "../data/train.jsonl"},
            "hyperParameters": {"epochCount": epochs},
            **extra,
        },
    }


def gemini_spec(name: str, epochs: int = 2, **extra: Any) -> dict[str, Any]:
    """A Gemini spec document with inline examples (the model answers "I" with "II")."""
    return {
        "apiVersion": "tuneops.dev/v1",
        "kind": "TuningJob",
        "metadata": {"name": name},
        "spec": {
            "backend": "gemini",
            "baseModel": "models/gemini-1.5-flash-001-tuning",
            "trainingData": {"examples": [{"textInput": "I", "output": "II"}]},
            "hyperParameters": {"epochCount": epochs, "batchSize": 1},
            **extra,
        },
    }


class Project:
    """A project directory: write specs, run commands, read the lockfile."""

    def __init__(
        self,
        root: Path,
        emulator: EmulatorHandle,
        stack: str = "e2e",
        staging_bucket: str | None = None,
    ) -> None:
        self.root = root
        self.emulator = emulator
        # Kept by every `configure`: local datasets stage in the emulator's bucket.
        self.vertex = {"endpoint": emulator.url}
        if staging_bucket is not None:
            self.vertex["stagingBucket"] = staging_bucket
        (root / "specs").mkdir(parents=True, exist_ok=True)
        self.configure(stack=stack)

    def configure(self, **changes: Any) -> None:
        config = {
            "stack": "e2e",
            "defaults": {"project": "acme-ml", "location": "us-central1"},
            "vertex": self.vertex,
            "gemini": {"endpoint": self.emulator.url},
            "storage": {"endpoint": self.emulator.url},
            **changes,
        }
        (self.root / "tuneops.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")

    def write(self, *documents: dict[str, Any]) -> None:
        """Writes spec files, and puts the gs:// datasets they name into the emulator."""
        for document in documents:
            path = self.root / "specs" / f"{document['metadata']['name']}.yaml"
            path.write_text(yaml.safe_dump(document), encoding="utf-8")
            spec = document.get("spec", {})
            for key in ("trainingDataset", "validationDataset"):
                if str(spec.get(key, "")).startswith("gs://"):
                    self.put_object(spec[key], DATASET_LINE, overwrite=False)

    def put_object(self, uri: str, data: bytes, *, overwrite: bool = True) -> int:
        """Puts `data` at `uri` in the emulator (kept as it is unless `overwrite`)."""
        return self.emulator.put_object(uri, data, overwrite=overwrite)

    def remove(self, name: str) -> None:
        (self.root / "specs" / f"{name}.yaml").unlink()

    def run(self, command: str) -> Run:
        assert command.startswith("tuneops ")
        return tuneops(f"tuneops -C {self.root} {command.removeprefix('tuneops ')}")

    def lock(self) -> dict[str, Any]:
        loaded: dict[str, Any] = yaml.safe_load((self.root / "tuneops.lock").read_text("utf-8"))
        return loaded["specs"]

    def creates(self) -> int:
        counts = self.emulator.request_counts()
        return sum(
            n
            for route, n in counts.items()
            if route.startswith("POST")
            and (route.endswith("/tuningJobs") or route.endswith("/tunedModels"))
        )

    def remote(self) -> list[dict[str, Any]]:
        """Every Vertex job in the emulator, straight from the API (any stack)."""
        import requests

        url = f"{self.emulator.url}/v1/projects/acme-ml/locations/us-central1/tuningJobs"
        answer = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        answer.raise_for_status()
        jobs: list[dict[str, Any]] = answer.json().get("tuningJobs", [])
        return jobs


def plan_json(project: Project, *flags: str) -> dict[str, Any]:
    run = project.run("tuneops plan --format json " + " ".join(flags))
    assert run.code in (0, 2, 3), run.err
    loaded: dict[str, Any] = json.loads(run.out)
    return loaded


def staging_project(
    tmp_path: Path,
    emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    staging_bucket: str = "gs://acme-staging",
) -> Project:
    """A project whose local datasets stage in `staging_bucket` in the emulator."""
    use_credentials(monkeypatch)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    return Project(tmp_path, emulator, staging_bucket=staging_bucket)


def use_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNEOPS_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("GEMINI_API_KEY", API_KEY)
    for name in (
        "TUNEOPS_VERTEX_ENDPOINT",
        "TUNEOPS_GEMINI_ENDPOINT",
        "GOOGLE_API_KEY",
        "NO_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
