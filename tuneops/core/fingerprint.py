"""A plan's fingerprint: a digest of everything it was computed from.

A saved plan (`plan --out`) is applied only while the fingerprint of what it
would be computed from now is the same (Terraform's stale-plan check).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from tuneops.core.jobs import RemoteJob
from tuneops.core.plan import PlanOptions
from tuneops.lockfile.file import Lockfile
from tuneops.specs.models import JobSpec


def fingerprint(
    stack: str,
    specs: Iterable[JobSpec],
    lockfile: Lockfile,
    remote: Sequence[RemoteJob] | None,
    options: PlanOptions,
    version: str,
) -> str:
    """A digest of everything a plan depends on; a saved plan is stale when it differs."""
    observed = None
    if remote is not None:
        observed = sorted(
            (j.name, j.state.value, j.update_time.isoformat() if j.update_time else "")
            for j in remote
        )
    material = {
        "tuneops": version,
        "stack": stack,
        "specs": sorted((s.name, s.spec_hash, s.protect) for s in specs),
        "lockfile": lockfile.digest(),
        "remote": observed,
        "options": options.to_data(),
    }
    return _json_digest(material)


def _json_digest(data: Any) -> str:
    """sha256 of `json.dumps(data, sort_keys=True)`, hashed as the text is made.

    The text of 20,000 listed jobs and 10,000 specs is about 4 MiB, which with
    its UTF-8 copy was the peak of a 10,000-spec plan's memory (issue 18).
    """
    digest = hashlib.sha256()
    chunks: list[str] = []
    for chunk in json.JSONEncoder(sort_keys=True).iterencode(data):
        chunks.append(chunk)
        if len(chunks) >= _CHUNKS_PER_UPDATE:
            digest.update("".join(chunks).encode("utf-8"))
            chunks.clear()
    digest.update("".join(chunks).encode("utf-8"))
    return digest.hexdigest()


# The encoder yields a few characters at a time; hashing them a few KiB at a time
# costs less.
_CHUNKS_PER_UPDATE = 4096
