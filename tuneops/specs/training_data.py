"""Reading `trainingData.file`: a JSONL file of `{"textInput", "output"}` objects."""

from __future__ import annotations

import json
from pathlib import Path

from tuneops.diagnostics import Diagnostic, Location
from tuneops.specs.source import MAX_TRAINING_FILE_BYTES, read_text

MAX_INPUT_CHARS = 40_000
MAX_OUTPUT_CHARS = 5_000
_LIMITS = {"textInput": MAX_INPUT_CHARS, "output": MAX_OUTPUT_CHARS}


def _check_example(value: object, at: Location) -> list[Diagnostic]:
    def problem(message: str, field: str | None = None) -> Diagnostic:
        path = f"$.{field}" if field else "$"
        return Diagnostic(Location(at.file, at.line, at.column, path), message)

    if not isinstance(value, dict):
        return [problem("each line must be a JSON object with textInput and output")]
    found = [problem(f"unknown field {key!r}") for key in sorted(set(value) - set(_LIMITS))]
    for field, limit in _LIMITS.items():
        if field not in value:
            found.append(problem(f"missing required field {field!r}"))
        elif not isinstance(value[field], str):
            found.append(problem(f"{field} must be a string", field))
        elif not value[field]:
            found.append(problem("must not be empty", field))
        elif len(value[field]) > limit:
            length = len(value[field])
            found.append(
                problem(f"is {length} characters long; at most {limit} are allowed", field)
            )
    return found


def read_examples(
    path: Path, display: str, root: Path | None = None
) -> tuple[tuple[dict[str, str], ...], list[Diagnostic]]:
    """The examples of a JSONL file (`{"textInput", "output"}`), or the problems found in it.

    Problems are reported line by line.

    With `root`, a file that resolves outside it is refused.
    """
    text = read_text(path, display, MAX_TRAINING_FILE_BYTES, root)
    if isinstance(text, Diagnostic):
        return (), [text]
    examples: list[dict[str, str]] = []
    problems: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            where = Location(display, number, error.colno)
            problems.append(Diagnostic(where, f"invalid JSON: {error.msg}"))
            continue
        found = _check_example(value, Location(display, number, 1))
        problems.extend(found)
        if not found:
            examples.append(value)  # exactly the two string fields: checked above
    if not examples and not problems:
        problems.append(Diagnostic(Location(display), "holds no examples; at least one is needed"))
    return tuple(examples), problems
