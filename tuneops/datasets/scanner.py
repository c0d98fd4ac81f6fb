"""Checking a whole JSONL dataset as a stream: bounded memory whatever its size.

The file is read line by line (a line is cut off at `MAX_LINE_BYTES`), hashed as
it goes, and every problem becomes a diagnostic at `FILE:LINE:COLUMN` with the
JSON path inside the line. Only the first `MAX_REPORTED` problems of a file are
kept, so a file of a million bad lines does not hold a million messages.

Each tuning method has its own line format (`method=`): supervised lines
(example_format.py, with function calling) or preference lines
(preference_format.py); the file limits are the same for both.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tuneops.datasets.example_format import check_example
from tuneops.datasets.limits import ModelLimits
from tuneops.datasets.methods import TuningMethod
from tuneops.datasets.preference_format import check_preference_example
from tuneops.datasets.turns import ExampleProblem, LineSize
from tuneops.diagnostics import Diagnostic, Location, json_path

BOM = b"\xef\xbb\xbf"
# No valid example comes near this: 131,072 tokens of text is about 2 MB of UTF-8.
MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_REPORTED = 100
_CHUNK = 1024 * 1024

# Given each valid example as parsed and the length of its line (shared_examples).
ExampleSink = Callable[[object, int], None]


class DatasetRole(str, enum.Enum):
    """What a dataset is for; the limits differ."""

    TRAINING = "training"
    VALIDATION = "validation"


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    """What a dataset holds, as far as the offline checks can tell."""

    sha256: str
    size_bytes: int
    examples: int
    multimodal_examples: int
    characters: int
    estimated_tokens: int


@dataclass(frozen=True, slots=True)
class DatasetScan:
    """The summary of one dataset and every problem found in it."""

    summary: DatasetSummary
    diagnostics: tuple[Diagnostic, ...]


class _Scan:
    def __init__(
        self,
        display: str,
        role: DatasetRole,
        limits: ModelLimits,
        max_line_bytes: int,
        method: TuningMethod,
        sink: ExampleSink | None = None,
    ) -> None:
        self.display = display
        self.sink = sink
        self.max_line_bytes = max_line_bytes
        self.role = role
        self.limits = limits
        self.method = method
        self.digest = hashlib.sha256()
        self.size = 0
        self.examples = 0
        self.multimodal = 0
        self.characters = 0
        self.tokens = 0
        self.problems: list[Diagnostic] = []
        self.unreported = 0

    def report(self, line: int, column: int, path: str, message: str) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Diagnostic(Location(self.display, line, column, path), message))
        else:
            self.unreported += 1

    def read(self, stream: BinaryIO) -> None:
        number = 0
        while raw := stream.readline(self.max_line_bytes):
            number += 1
            self.take(raw)
            if not raw.endswith(b"\n") and len(raw) == self.max_line_bytes:
                self.skip_rest_of_line(stream)
                self.report(number, 1, "$", f"line is longer than {self.max_line_bytes:,} bytes")
                continue
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            self.line(number, raw.rstrip(b"\r\n"))

    def take(self, raw: bytes) -> None:
        self.digest.update(raw)
        self.size += len(raw)

    def skip_rest_of_line(self, stream: BinaryIO) -> None:
        while chunk := stream.readline(_CHUNK):
            self.take(chunk)
            if chunk.endswith(b"\n"):
                return

    def line(self, number: int, raw: bytes) -> None:
        if not raw.strip():
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            column = len(raw[: error.start].decode("utf-8", errors="replace")) + 1
            bad = raw[error.start]
            self.report(number, column, "$", f"line is not valid UTF-8 (byte 0x{bad:02x})")
            return
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            self.report(number, error.colno, "$", f"invalid JSON: {error.msg}")
            return
        except RecursionError:
            self.report(number, 1, "$", "invalid JSON: nested too deeply")
            return
        self.example(number, value, len(raw))

    def example(self, number: int, value: object, line_bytes: int) -> None:
        problems: list[ExampleProblem]
        size: LineSize
        if self.method is TuningMethod.PREFERENCE:
            problems, size = check_preference_example(value)
        else:
            problems, size = check_example(value)
        for problem in problems:
            self.report(number, 1, _path(problem), problem.message)
        if problems:
            return
        if self.sink is not None:
            self.sink(value, line_bytes)
        self.examples += 1
        self.multimodal += size.file_parts > 0
        self.characters += size.characters
        self.tokens += size.estimated_tokens
        self.token_limit(number, size)

    def token_limit(self, number: int, size: LineSize) -> None:
        limits = self.limits
        if self.method is TuningMethod.PREFERENCE:
            limit = limits.max_tokens_per_preference_example
            what = "of input and the longer completion "
            unit = "preference example"
        else:
            limit, what, unit = limits.max_tokens_per_example, "", "example"
        if limit is not None and size.limited_tokens > limit:
            self.report(
                number,
                1,
                "$",
                f"about {size.limited_tokens:,} tokens {what}(estimated from "
                f"{size.limited_characters:,} characters); {limits.family} allows "
                f"{limit:,} per {unit}",
            )

    def finish(self) -> DatasetScan:
        whole = Location(self.display)
        found = list(self.problems)
        if self.unreported:
            found.append(Diagnostic(whole, f"{self.unreported:,} more problems not shown"))
        found += self.file_limits(whole)
        summary = DatasetSummary(
            sha256=self.digest.hexdigest(),
            size_bytes=self.size,
            examples=self.examples,
            multimodal_examples=self.multimodal,
            characters=self.characters,
            estimated_tokens=self.tokens,
        )
        return DatasetScan(summary, tuple(found))

    def file_limits(self, whole: Location) -> list[Diagnostic]:
        limits, family = self.limits, self.limits.family
        found = []
        if self.size > limits.max_file_bytes:
            found.append(
                f"file is {self.size:,} bytes; {family} accepts at most "
                f"{limits.max_file_bytes:,} bytes per JSONL file"
            )
        if self.role is DatasetRole.VALIDATION:
            if self.examples > limits.max_validation_examples:
                found.append(
                    f"holds {self.examples:,} validation examples; {family} accepts at most "
                    f"{limits.max_validation_examples:,}"
                )
        elif self.multimodal and self.examples > limits.max_multimodal_examples:
            found.append(
                f"holds {self.examples:,} examples, {self.multimodal:,} of them multimodal; "
                f"{family} accepts at most {limits.max_multimodal_examples:,} multimodal examples"
            )
        elif self.examples > limits.max_text_examples:
            found.append(
                f"holds {self.examples:,} examples; {family} accepts at most "
                f"{limits.max_text_examples:,} text examples"
            )
        if not self.examples and not self.problems:
            found.append("holds no examples; at least one is needed")
        return [Diagnostic(whole, message) for message in found]


def _path(problem: ExampleProblem) -> str:
    return json_path(problem.path)


def scan_stream(
    stream: BinaryIO,
    display: str,
    role: DatasetRole,
    limits: ModelLimits,
    max_line_bytes: int = MAX_LINE_BYTES,
    *,
    method: TuningMethod = TuningMethod.SUPERVISED,
    sink: ExampleSink | None = None,
) -> DatasetScan:
    """Checks a JSONL dataset of `method`'s line format read from `stream`, named
    `display` in diagnostics; `sink` is given every valid example, so that the
    file need not be parsed again."""
    scan = _Scan(display, role, limits, max_line_bytes, method, sink)
    scan.read(stream)
    return scan.finish()


def scan_file(
    path: Path,
    display: str,
    role: DatasetRole,
    limits: ModelLimits,
    *,
    method: TuningMethod = TuningMethod.SUPERVISED,
    sink: ExampleSink | None = None,
) -> DatasetScan:
    """Checks the JSONL dataset at `path` in `method`'s line format; an unreadable
    file is one diagnostic."""
    try:
        with path.open("rb") as stream:
            return scan_stream(stream, display, role, limits, method=method, sink=sink)
    except OSError as error:
        empty = DatasetSummary(hashlib.sha256().hexdigest(), 0, 0, 0, 0, 0)
        problem = Diagnostic(Location(display), f"cannot read file: {error.strerror or error}")
        return DatasetScan(empty, (problem,))
