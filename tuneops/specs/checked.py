"""A spec that passed every check, as plain data: what `validate` reports.

`loader.check_specs` makes these without pydantic; `loader.load_specs` turns
them into `JobSpec`s with their models for the commands that need them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tuneops.diagnostics import Location
from tuneops.specs.kinds import BackendKind, LocalDataset


@dataclass(frozen=True, slots=True)
class CheckedSpec:
    """A valid spec: `data` is its `spec:` mapping with backend, project and location resolved.

    `examples` holds the Gemini training examples (`{"textInput", "output"}`)
    whether they were inline or in a file; `canonical` and `spec_hash` are as
    in `JobSpec`.
    """

    name: str
    labels: Mapping[str, str]
    data: Mapping[str, Any]
    examples: tuple[Mapping[str, str], ...]
    canonical: Mapping[str, Any]
    spec_hash: str
    source: Location
    local_datasets: tuple[LocalDataset, ...] = ()

    @property
    def backend(self) -> BackendKind:
        """The service that runs this job."""
        return BackendKind(self.data["backend"])
