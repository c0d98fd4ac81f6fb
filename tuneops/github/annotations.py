"""Annotation paths: GitHub places an annotation by its path from the repository root."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from tuneops.diagnostics import Diagnostic
from tuneops.github.environment import repository_path, repository_root


def for_repository(
    diagnostics: Sequence[Diagnostic], environ: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """The diagnostics with their files relative to the repository root, whatever
    `-C DIR` or `--config FILE` made them relative to."""
    root = repository_root(environ)
    return [
        replace(d, location=replace(d.location, file=repository_path(d.location.file, root)))
        for d in diagnostics
    ]
