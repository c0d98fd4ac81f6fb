"""Telling tuneops files apart from other files, for `tuneops validate PATH...`.

A pre-commit hook hands validate every YAML and JSONL file a commit touches;
most YAML in a repository (workflows, Kubernetes manifests, ...) is not a spec.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tuneops.datasets.limits import fallback_limits
from tuneops.datasets.methods import TuningMethod
from tuneops.datasets.scanner import BOM, MAX_LINE_BYTES, DatasetRole, scan_file
from tuneops.diagnostics import Diagnostic, Location
from tuneops.specs.source import MAX_SPEC_BYTES, MAX_TRAINING_FILE_BYTES, read_text
from tuneops.specs.training_data import read_examples

CONFIG_NAME = "tuneops.yaml"
# A top-level `kind: TuningJob`, or an apiVersion of ours: a file with either is a
# spec (and a typo in the other one is reported), a file with neither is not ours.
_SPEC_MARK = re.compile(
    r"""^[\s-]*(?:kind:\s*["']?TuningJob\b|apiVersion:\s*["']?tuneops\.dev/)""", re.MULTILINE
)
# Vertex AI's supervised tuning format (`contents` of a chat, or OpenAI-style
# `messages`) rather than the Gemini API's `textInput`/`output` examples.
_VERTEX_KEYS = frozenset({"contents", "messages", "systemInstruction", "system_instruction"})
# Preference-tuning lines are told apart by their scored pairs (docs/datasets.md).
_PREFERENCE_KEY = "completions"


def is_config_file(path: Path) -> bool:
    """The project configuration, recognised by its name."""
    return path.name == CONFIG_NAME


def is_spec_file(path: Path) -> bool:
    """The file holds at least one tuneops spec document (or one meant to be).

    Unreadable files count as specs, so that validate reports why they cannot be read.
    """
    text = read_text(path, path.as_posix(), MAX_SPEC_BYTES)
    return isinstance(text, Diagnostic) or bool(_SPEC_MARK.search(text))


_SNIFF_LINES = 50


def _first_record(path: Path) -> object:
    """The first JSON object among the first lines of a JSONL file, or None (read
    one bounded line at a time, never the whole file; broken lines are skipped)."""
    try:
        with path.open("rb") as stream:
            for _ in range(_SNIFF_LINES):
                raw = stream.readline(MAX_LINE_BYTES)
                if not raw:
                    break
                try:
                    value = json.loads(raw.removeprefix(BOM))
                except ValueError:
                    continue
                if isinstance(value, dict):
                    return value
    except OSError:
        return None
    return None


def training_file_problems(path: Path, shown: str) -> list[Diagnostic]:
    """Every problem in a JSONL training file given to validate directly.

    Gemini API examples are checked field by field, as when a spec names the
    file. A file whose first record is in Vertex AI's supervised-tuning format
    (`contents`, or the `messages` of another format) gets the full Vertex checks
    (docs/datasets.md), streamed, against the current generation's limits since
    no base model is named; in the preference format when that record has
    `completions`, since no spec says the method.
    """
    first = _first_record(path)
    if isinstance(first, dict) and _VERTEX_KEYS & set(first):
        method = TuningMethod.PREFERENCE if _PREFERENCE_KEY in first else TuningMethod.SUPERVISED
        scan = scan_file(path, shown, DatasetRole.TRAINING, fallback_limits(), method=method)
        return list(scan.diagnostics)
    text = read_text(path, shown, MAX_TRAINING_FILE_BYTES)
    if isinstance(text, Diagnostic):
        return [text]
    problems: list[Diagnostic] = []
    vertex = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(
                Diagnostic(Location(shown, number, error.colno), f"invalid JSON: {error.msg}")
            )
            continue
        if not isinstance(value, dict):
            problems.append(
                Diagnostic(Location(shown, number, 1), "each line must be a JSON object")
            )
        elif _VERTEX_KEYS & set(value):
            vertex = True
    if problems or vertex:
        return problems
    return read_examples(path, shown)[1]


@dataclass(frozen=True, slots=True)
class SortedPaths:
    """The paths given to validate, by what they hold."""

    configs: tuple[Path, ...] = ()
    training_files: tuple[Path, ...] = ()
    specs: tuple[Path, ...] = ()  # spec files, directories, and missing paths (reported)
    skipped: tuple[Path, ...] = ()  # YAML files that are not tuneops specs


def _inside(path: Path, directory: Path | None) -> bool:
    return directory is not None and path.resolve().is_relative_to(directory.resolve())


def sort_paths(paths: Sequence[Path], specs_dir: Path | None = None) -> SortedPaths:
    """Sorts explicit paths: configuration, JSONL training data, specs, other YAML.

    Every file in the project's specs directory is a spec, marked or not: only
    YAML elsewhere in the repository is skipped when it holds no spec.
    """
    configs, training, specs, skipped = [], [], [], []
    for path in paths:
        if not path.is_file():
            specs.append(path)
        elif is_config_file(path):
            configs.append(path)
        elif path.suffix == ".jsonl":
            training.append(path)
        elif _inside(path, specs_dir):
            specs.append(path)
        elif path.suffix in (".yaml", ".yml") and not is_spec_file(path):
            skipped.append(path)
        else:
            specs.append(path)
    return SortedPaths(tuple(configs), tuple(training), tuple(specs), tuple(skipped))
