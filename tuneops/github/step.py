"""The step summary and step outputs a command leaves on a GitHub Actions runner.

Both are files the runner names in `GITHUB_STEP_SUMMARY` and `GITHUB_OUTPUT`;
tuneops appends to them and never reads them back. Off a runner nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tuneops.github.environment import on_actions

OutputValue = str | int | bool


def _text(value: OutputValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def format_outputs(outputs: Mapping[str, OutputValue]) -> str:
    """`name=value` lines; a value with a line break uses the runner's heredoc form."""
    lines = []
    for name, value in outputs.items():
        text = _text(value)
        if "\n" in text or "\r" in text:
            import secrets  # here, not at the top: rare, and costs validate's start-up

            delimiter = f"tuneops_{secrets.token_hex(8)}"
            lines.append(f"{name}<<{delimiter}\n{text}\n{delimiter}")
        else:
            lines.append(f"{name}={text}")
    return "".join(line + "\n" for line in lines)


def publish(
    summary: str | None,
    outputs: Mapping[str, OutputValue],
    environ: Mapping[str, str] | None = None,
) -> None:
    """Appends `summary` to the step summary and `outputs` to the step outputs,
    each when the runner asks for it; does nothing off GitHub Actions."""
    environ = environ if environ is not None else os.environ
    if not on_actions(environ):
        return
    summary_file = environ.get("GITHUB_STEP_SUMMARY")
    if summary and summary_file:
        _append(Path(summary_file), summary.rstrip("\n") + "\n\n")
    output_file = environ.get("GITHUB_OUTPUT")
    if outputs and output_file:
        _append(Path(output_file), format_outputs(outputs))
