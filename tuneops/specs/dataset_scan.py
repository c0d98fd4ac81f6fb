"""Which line checker a local Vertex dataset goes through: the spec's method decides.

Supervised lines are conversations (`datasets/example_format.py`); preference
lines hold a prompt and two scored completions. The line-by-line preference
checks are issue 19's dataset work (engineer `datasets19`); until their scanner
lands, a preference file is hashed and counted here, and `validate` says with a
warning that its lines were not checked, so the gap is never silent.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tuneops.datasets.limits import ModelLimits
from tuneops.datasets.methods import TuningMethod
from tuneops.datasets.scanner import DatasetRole, DatasetScan, DatasetSummary, scan_file
from tuneops.diagnostics import Diagnostic, Location, Severity

# The same rough estimate the supervised checks use: about four characters a token.
_BYTES_PER_TOKEN = 4


def scan_dataset(
    path: Path, display: str, role: DatasetRole, limits: ModelLimits, method: TuningMethod
) -> DatasetScan:
    """The scan of one local dataset file, by the rules of `method`."""
    if method is TuningMethod.SUPERVISED:
        return scan_file(path, display, role, limits)
    return _counted(path, display)


def _counted(path: Path, display: str) -> DatasetScan:
    digest, size, examples = hashlib.sha256(), 0, 0
    try:
        with path.open("rb") as stream:
            for raw in stream:
                digest.update(raw)
                size += len(raw)
                examples += bool(raw.strip())
    except OSError as error:
        empty = DatasetSummary(hashlib.sha256().hexdigest(), 0, 0, 0, 0, 0)
        problem = Diagnostic(Location(display), f"cannot read file: {error.strerror or error}")
        return DatasetScan(empty, (problem,))
    summary = DatasetSummary(
        sha256=digest.hexdigest(),
        size_bytes=size,
        examples=examples,
        multimodal_examples=0,
        characters=size,
        estimated_tokens=size // _BYTES_PER_TOKEN,
    )
    problems: list[Diagnostic] = [
        Diagnostic(
            Location(display),
            "preference lines are not checked line by line yet (counted and hashed only)",
            Severity.WARNING,
        )
    ]
    if not examples:
        problems.append(Diagnostic(Location(display), "holds no examples; at least one is needed"))
    return DatasetScan(summary, tuple(problems))
