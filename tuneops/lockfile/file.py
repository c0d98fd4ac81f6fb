"""The lockfile: the record of each spec's jobs and endpoints, written by tuneops only.

Canonical YAML (sorted keys, a header), validated against
`schemas/lockfile.schema.json` on read, written atomically (temporary file,
fsync, rename) and only when its content changes. It is a record, not the source
of ownership: remote labels are, so a lost lockfile is rebuilt from them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from tuneops.errors import LockfileError
from tuneops.specs import schemas
from tuneops.specs.models import BackendKind
from tuneops.specs.yaml_loader import load_documents

FORMAT_VERSION = 1
HEADER = (
    "# This file is maintained by tuneops; do not edit it by hand.\n"
    "# It records each spec's jobs and the endpoint of its tuned model.\n"
)
REBUILD_HINT = (
    "delete it and run `tuneops plan`: tuneops finds its jobs again by their labels and adopts them"
)


@dataclass(frozen=True, slots=True)
class Revision:
    """One remote job of a spec, as far as the lockfile needs to know it."""

    job: str
    spec_hash: str
    state: str
    model: str | None = None
    endpoint: str | None = None
    spec: Mapping[str, Any] | None = None
    smoke_test: str | None = None
    imported: bool = False

    def to_data(self) -> dict[str, Any]:
        """The YAML mapping of this revision (None fields left out)."""
        data: dict[str, Any] = {"job": self.job, "specHash": self.spec_hash, "state": self.state}
        optional = (
            ("model", self.model),
            ("endpoint", self.endpoint),
            ("smokeTest", self.smoke_test),
        )
        for key, value in optional:
            if value is not None:
                data[key] = value
        if self.spec is not None:
            data["spec"] = dict(self.spec)
        if self.imported:
            data["imported"] = True
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Revision:
        """The revision of a schema-valid mapping."""
        return cls(
            job=data["job"],
            spec_hash=data["specHash"],
            state=data["state"],
            model=data.get("model"),
            endpoint=data.get("endpoint"),
            spec=data.get("spec"),
            smoke_test=data.get("smokeTest"),
            imported=data.get("imported", False),
        )


@dataclass(frozen=True, slots=True)
class LockEntry:
    """What the lockfile knows of one spec.

    `active` is the newest revision that succeeded (what downstream services
    use); `pending` a newer one that is in flight or did not succeed.
    """

    backend: BackendKind
    spec_hash: str
    protect: bool = False
    project: str | None = None
    location: str | None = None
    active: Revision | None = None
    pending: Revision | None = None

    def revisions(self) -> tuple[Revision, ...]:
        """The known revisions, newest first."""
        return tuple(r for r in (self.pending, self.active) if r is not None)

    def to_data(self) -> dict[str, Any]:
        """The YAML mapping of this entry."""
        data: dict[str, Any] = {
            "backend": self.backend.value,
            "specHash": self.spec_hash,
            "protect": self.protect,
        }
        for key, value in (("project", self.project), ("location", self.location)):
            if value is not None:
                data[key] = value
        if self.active is not None:
            data["active"] = self.active.to_data()
        if self.pending is not None:
            data["pending"] = self.pending.to_data()
        return data


@dataclass(frozen=True, slots=True)
class Lockfile:
    """The whole lockfile: one entry per spec name."""

    stack: str
    entries: Mapping[str, LockEntry] = field(default_factory=dict)

    def with_entry(self, name: str, entry: LockEntry | None) -> Lockfile:
        """A copy with `name` set to `entry` (or removed, for None)."""
        entries = dict(self.entries)
        if entry is None:
            entries.pop(name, None)
        else:
            entries[name] = entry
        return replace(self, entries=entries)

    def to_data(self) -> dict[str, Any]:
        """The YAML mapping of the lockfile."""
        return {
            "version": FORMAT_VERSION,
            "stack": self.stack,
            "specs": {name: self.entries[name].to_data() for name in sorted(self.entries)},
        }

    def render(self) -> str:
        """Canonical text: header, `version` and `stack`, then every key sorted."""
        data = self.to_data()
        ordered = {key: _sorted(value) for key, value in data.items()}
        body = yaml.safe_dump(
            ordered, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120
        )
        return HEADER + body

    def digest(self) -> str:
        """sha256 of the canonical text: part of a plan's fingerprint."""
        return hashlib.sha256(self.render().encode("utf-8")).hexdigest()


def _sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _entry(data: Mapping[str, Any]) -> LockEntry:
    return LockEntry(
        backend=BackendKind(data["backend"]),
        spec_hash=data["specHash"],
        protect=data["protect"],
        project=data.get("project"),
        location=data.get("location"),
        active=Revision.from_data(data["active"]) if "active" in data else None,
        pending=Revision.from_data(data["pending"]) if "pending" in data else None,
    )


def read_lockfile(path: Path, stack: str) -> Lockfile:
    """The lockfile at `path`, an empty one when it does not exist.

    A lockfile that is not valid YAML or does not match the schema raises
    `LockfileError` naming every problem and how to rebuild it.
    """
    if path.exists() and not path.is_file():
        # A FIFO or device would block the read forever.
        raise LockfileError(f"the lockfile {path} is not a regular file; {REBUILD_HINT}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Lockfile(stack)
    except (OSError, UnicodeDecodeError) as error:
        raise LockfileError(f"cannot read the lockfile {path}: {error}; {REBUILD_HINT}") from None
    documents, problems = load_documents(text, str(path))
    if not problems and len(documents) == 1 and isinstance(documents[0].data, dict):
        problems = schemas.check("lockfile", documents[0], documents[0].data)
        if not problems:
            data = documents[0].data
            if data["stack"] != stack:
                raise LockfileError(
                    f"the lockfile {path} belongs to stack {data['stack']!r}, but tuneops.yaml "
                    f"says {stack!r}; {REBUILD_HINT}"
                )
            return Lockfile(stack, {n: _entry(e) for n, e in data["specs"].items()})
    details = "; ".join(p.line() for p in problems) or f"{path}: not a YAML mapping"
    raise LockfileError(f"the lockfile is corrupt: {details}; {REBUILD_HINT}")


def check_writable(path: Path) -> None:
    """Proves that the lockfile at `path` can be written, or raises `LockfileError`.

    Writes, fsyncs and removes a temporary file beside it, exactly as an atomic
    write would: apply calls this before its first create or cancel, so that a
    read-only checkout or a full disk stops it before anything remote happens.
    """
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "it is a directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"# tuneops write probe\n")
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError as error:
        raise LockfileError(
            f"cannot write the lockfile {path}: {error.strerror or error}; nothing was applied, "
            "since apply must record every job it starts or stops"
        ) from None


def write_lockfile(path: Path, lockfile: Lockfile) -> bool:
    """Writes the lockfile atomically; returns False (and writes nothing) when unchanged."""
    text = lockfile.render()
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file 0600; the lockfile is an ordinary file of the
        # checkout, so it keeps its mode, or follows the umask when it is new.
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)
    return True


def _mode_for(path: Path) -> int:
    """The mode of the existing file at `path`, else what the umask gives a new file."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it
    os.umask(mask)
    return mask


def _fsync_directory(directory: Path) -> None:
    """Makes the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
