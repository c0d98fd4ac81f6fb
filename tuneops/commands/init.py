"""`tuneops init`: scaffold a project that works at once, on the embedded emulator."""

from __future__ import annotations

from pathlib import Path

from tuneops.commands import EXIT_OK
from tuneops.console import Console
from tuneops.runtime.scaffolding import scaffold


def init(directory: Path, console: Console) -> int:
    """Scaffolds a project in `directory` (`runtime.scaffolding.scaffold`): tuneops.yaml,
    an example spec and its data, the JSON Schemas and a .gitignore entry."""
    for path in scaffold(directory):
        console.result(f"wrote {path}")
    console.note(f"next: tuneops -C {directory} plan")
    return EXIT_OK
