"""Which line checker a local Vertex dataset goes through: the spec's method decides.

Supervised lines are conversations (`datasets/example_format.py`, function calls
included); preference lines hold a prompt and two scored completions
(`datasets/preference_format.py`). The scanner takes the method; this is the one
place the loader turns a spec's `method` into it.
"""

from __future__ import annotations

from pathlib import Path

from tuneops.datasets.limits import ModelLimits
from tuneops.datasets.methods import TuningMethod
from tuneops.datasets.scanner import DatasetRole, DatasetScan, scan_file


def scan_dataset(
    path: Path, display: str, role: DatasetRole, limits: ModelLimits, method: TuningMethod
) -> DatasetScan:
    """The scan of one local dataset file, by the rules of `method`."""
    return scan_file(path, display, role, limits, method=method)
