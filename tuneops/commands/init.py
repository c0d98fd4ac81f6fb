"""`tuneops init`: scaffold a project that works at once, on the embedded emulator."""

from __future__ import annotations

from pathlib import Path

from tuneops.commands import EXIT_OK
from tuneops.console import Console
from tuneops.render.lines import scaffold_next, scaffold_wrote
from tuneops.runtime.scaffolding import scaffold


def init(directory: Path, console: Console) -> int:
    """Scaffolds a project in `directory` (`runtime.scaffolding.scaffold`): tuneops.yaml,
    an example spec and its data, the JSON Schemas and a .gitignore entry."""
    for path in scaffold(directory):
        console.result(scaffold_wrote(path))
    console.note(scaffold_next(directory))
    return EXIT_OK
