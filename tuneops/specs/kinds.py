"""The parts of a spec that need no model: backends, local datasets, defaults.

Kept apart from `models` so that `tuneops validate` can check and hash specs
without importing pydantic or building the model classes (issue 12: start-up).
"""

from __future__ import annotations

import enum
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol


class BackendKind(str, enum.Enum):
    """The remote services tuneops can run jobs on."""

    VERTEX = "vertex"
    GEMINI = "gemini"


class SpecDefaults(Protocol):
    """What loading a spec takes from `defaults:` in tuneops.yaml."""

    @property
    def backend(self) -> BackendKind: ...

    @property
    def project(self) -> str | None: ...

    @property
    def location(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class PlainDefaults:
    """`defaults:` read from the schema-checked configuration, without its model."""

    backend: BackendKind = BackendKind.VERTEX
    project: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class LocalDataset:
    """A local dataset file of a Vertex spec, checked and hashed at load time.

    `role` is `training` or `validation`; `path` is absolute; `sha256` names the
    content (and the uploaded object); the counts come from the offline checks.
    """

    role: str
    path: Path
    display: str
    sha256: str
    size_bytes: int
    examples: int
    estimated_tokens: int
    # Inline `examples` converted to JSONL: staged from these bytes, and `path`
    # is then the spec file that holds them (never read for the data).
    content: bytes | None = None

    def open(self) -> BinaryIO:
        """The dataset's bytes as a binary stream: its content, or its file."""
        return io.BytesIO(self.content) if self.content is not None else self.path.open("rb")
