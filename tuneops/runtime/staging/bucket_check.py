"""Whether the specs that upload local datasets have somewhere to upload them.

Apart from `upload` so that `validate` can check it without importing the
Cloud Storage client (requests, google-auth): issue 12, start-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tuneops.diagnostics import Diagnostic

if TYPE_CHECKING:
    from tuneops.project.file import Project
    from tuneops.specs.checked import CheckedSpec
    from tuneops.specs.models import JobSpec


def missing_staging_bucket(
    project: Project, specs: Iterable[JobSpec | CheckedSpec]
) -> list[Diagnostic]:
    """One diagnostic per spec with a local dataset when no bucket is configured."""
    if project.staging_bucket:
        return []
    return [
        Diagnostic(
            spec.source,
            f"{spec.name!r} uses a local dataset ({spec.local_datasets[0].display}); "
            "set vertex.stagingBucket in tuneops.yaml to say where it is uploaded",
        )
        for spec in specs
        if spec.local_datasets
    ]
