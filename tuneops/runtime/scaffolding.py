"""Scaffolding a project (`tuneops init`) that works at once, on the embedded emulator."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tuneops.catalogue import shipped_catalogue
from tuneops.errors import UsageError
from tuneops.specs.schemas import SchemaName, load_schema

# The schemas are written into the project and the modelines point at that copy:
# editors then work offline, with the schemas of the tuneops version in use,
# whether tuneops came from a wheel or a checkout (docs: README, "Editor schemas").
SCHEMA_DIR = "schemas"
SCHEMAS: tuple[SchemaName, ...] = ("spec", "config", "lockfile")
SCHEMA_URL = "../schemas/spec.schema.json"  # from specs/
CONFIG_SCHEMA_URL = "schemas/config.schema.json"  # from the project root

CONFIG = """\
# yaml-language-server: $schema={schema}
# tuneops project settings. `endpoint: embedded` runs the tuneops emulator
# in-process (state in .tuneops/), so every command works without a cloud
# account; remove the endpoint lines to use Vertex AI and the Gemini API, and
# name a bucket you own in stagingBucket (local datasets are uploaded there).
stack: {stack}
specs: specs
lockfile: tuneops.lock
defaults:
  backend: vertex
  project: my-project
  location: us-central1
vertex:
  endpoint: embedded
  stagingBucket: gs://{stack}-tuneops-staging
gemini:
  endpoint: embedded
guards:
  maxCancel: 5
  maxCreate: 20
"""

EXAMPLE = """\
# yaml-language-server: $schema={schema}
# The schema is the copy `tuneops init` wrote; refresh it after upgrading tuneops
# with `tuneops schema spec > schemas/spec.schema.json`.
apiVersion: tuneops.dev/v1
kind: TuningJob
metadata:
  name: example
  labels: {{team: ml-platform}}
spec:
  # The catalogue's recommended model when this file was written (`tuneops models`).
  baseModel: {model}
  # A local JSONL file, checked by `tuneops validate` and uploaded at apply;
  # or trainingDataset: gs://bucket/train.jsonl for data already in Cloud Storage.
  trainingData: {{file: ../data/example.jsonl}}
  tunedModelDisplayName: example
  hyperParameters:
    epochCount: 3
    adapterSize: ADAPTER_SIZE_FOUR
"""


# Google's supervised-tuning format: a conversation whose last turn is the model's.
EXAMPLE_DATA = "".join(
    json.dumps(
        {
            "contents": [
                {"role": "user", "parts": [{"text": question}]},
                {"role": "model", "parts": [{"text": answer}]},
            ]
        },
        ensure_ascii=False,
    )
    + "\n"
    for question, answer in (
        ("Translate to French: good morning", "bonjour"),
        ("Translate to French: thank you", "merci"),
        ("Translate to French: see you soon", "à bientôt"),
    )
)


def stack_name(directory: Path) -> str:
    """A valid stack id from a directory name (`My Project` → `my-project`)."""
    slug = re.sub(r"[^a-z0-9]+", "-", directory.resolve().name.lower()).strip("-")
    slug = re.sub(r"^[^a-z]+", "", slug)[:40].rstrip("-")
    return slug or "tuneops"


def _schema_files(directory: Path) -> dict[Path, str]:
    """The schema files to write, and their text (as `tuneops schema NAME` prints it)."""
    return {
        directory / SCHEMA_DIR / f"{name}.schema.json": json.dumps(
            load_schema(name), indent=2, ensure_ascii=False
        )
        + "\n"
        for name in SCHEMAS
    }


def scaffold(directory: Path) -> list[Path]:
    """Writes tuneops.yaml, specs/example.yaml, data/example.jsonl, the JSON Schemas and
    a .gitignore entry, and returns what it wrote; never overwrites (a schema file that
    is already identical is left as it is)."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "tuneops.yaml"
    example = directory / "specs" / "example.yaml"
    data = directory / "data" / "example.jsonl"
    schemas = {
        path: text
        for path, text in _schema_files(directory).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    }
    existing = [str(path) for path in (config, example, data, *schemas) if path.exists()]
    if existing:
        raise UsageError(f"refusing to overwrite {', '.join(existing)}; nothing was written")
    example.parent.mkdir(exist_ok=True)
    config.write_text(
        CONFIG.format(schema=CONFIG_SCHEMA_URL, stack=stack_name(directory)), encoding="utf-8"
    )
    model = shipped_catalogue().recommended_model("vertex").id
    example.write_text(EXAMPLE.format(schema=SCHEMA_URL, model=model), encoding="utf-8")
    data.parent.mkdir(exist_ok=True)
    data.write_text(EXAMPLE_DATA, encoding="utf-8")
    written = [config, example, data]
    for path, text in schemas.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    gitignore = directory / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    if not {".tuneops/", ".tuneops", "/.tuneops/", "/.tuneops"} & {line.strip() for line in lines}:
        prefix = "" if not lines or gitignore.read_text(encoding="utf-8").endswith("\n") else "\n"
        with gitignore.open("a", encoding="utf-8") as handle:
            handle.write(f"{prefix}# tuneops local state (embedded emulator, locks)\n.tuneops/\n")
        written.append(gitignore)
    return written
