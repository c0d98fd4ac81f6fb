"""Where a project uses models the catalogue says are going or gone (`tuneops models --check`).

Reads the specs without holding them to the catalogue (a retired model is what
this looks for, not a reason to stop) and the lockfile's running jobs and live
endpoints; no remote call.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tuneops.core.model_notices import ModelNotice, ModelUse, live_notices, spec_notices
from tuneops.lockfile.file import read_lockfile
from tuneops.project.file import Project
from tuneops.specs.loader import check_specs


def model_findings(project: Project, today: date) -> tuple[ModelNotice, ...]:
    """Every spec and lockfile revision whose model is unknown, retired or retiring soon."""
    policy = replace(project.model_policy, enforce=False, today=today)
    checked = check_specs([project.specs_dir], project.root, project.spec_defaults, policy)
    uses = (
        ModelUse(spec.name, str(spec.data["backend"]), spec.data["baseModel"])
        for spec in checked.specs
        if isinstance(spec.data.get("baseModel"), str)
    )
    catalogue, today = policy.catalogue, policy.today
    found = spec_notices(uses, catalogue, today, policy.emulated)
    lockfile = read_lockfile(project.lockfile_path, project.config.stack)
    return found + live_notices(lockfile, catalogue, today)
