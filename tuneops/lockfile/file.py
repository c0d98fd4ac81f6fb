"""The lockfile: the record of each spec's jobs and endpoints, written by tuneops only.

Canonical YAML (sorted keys, a header), validated against
`schemas/lockfile.schema.json` on read, written atomically (temporary file,
fsync, rename) and only when its content changes. It is a record, not the source
of ownership: remote labels are, so a lost lockfile is rebuilt from them.
"""

from __future__ import annotations

import enum
import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from tuneops.errors import LockfileError
from tuneops.lockfile.journal import discard_journal, fsync_directory, read_journal
from tuneops.specs import schemas
from tuneops.specs.kinds import BackendKind, JobState
from tuneops.specs.plain_yaml import load_plain
from tuneops.specs.yaml_loader import load_documents

FORMAT_VERSION = 1
HEADER = (
    "# This file is maintained by tuneops; do not edit it by hand.\n"
    "# It records each spec's jobs and the endpoint of its tuned model.\n"
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
REBUILD_HINT = (
    "delete it and run `tuneops plan`: tuneops finds its jobs again by their labels and adopts them"
)


@dataclass(frozen=True, slots=True)
class Revision:
    """One remote job of a spec, as far as the lockfile needs to know it."""

    job: str
    spec_hash: str
    state: JobState
    model: str | None = None
    endpoint: str | None = None
    spec: Mapping[str, Any] | None = None
    smoke_test: str | None = None
    imported: bool = False
    # Issue 19: what a finished job reported, and what the promotion gate made of it.
    # Plain data (see schemas/lockfile.schema.json), so this layer stays below core.
    checkpoints: tuple[Mapping[str, Any], ...] = ()
    evaluation: Mapping[str, Mapping[str, float]] | None = None
    checkpoint: str | None = None
    gate: Mapping[str, Any] | None = None
    promoted_by: str | None = None

    def to_data(self) -> dict[str, Any]:
        """The YAML mapping of this revision (None fields left out)."""
        data: dict[str, Any] = {
            "job": self.job,
            "specHash": self.spec_hash,
            "state": self.state.value,
        }
        optional = (
            ("model", self.model),
            ("endpoint", self.endpoint),
            ("smokeTest", self.smoke_test),
            ("checkpoint", self.checkpoint),
            ("promotedBy", self.promoted_by),
        )
        for key, value in optional:
            if value is not None:
                data[key] = value
        if self.spec is not None:
            data["spec"] = dict(self.spec)
        if self.imported:
            data["imported"] = True
        if self.checkpoints:
            data["checkpoints"] = [dict(c) for c in self.checkpoints]
        if self.evaluation:
            data["evaluation"] = {k: dict(v) for k, v in self.evaluation.items()}
        if self.gate is not None:
            data["gate"] = _plain(self.gate)
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Revision:
        """The revision of a schema-valid mapping."""
        return cls(
            job=data["job"],
            spec_hash=data["specHash"],
            state=JobState(data["state"]),
            model=data.get("model"),
            endpoint=data.get("endpoint"),
            spec=data.get("spec"),
            smoke_test=data.get("smokeTest"),
            imported=data.get("imported", False),
            checkpoints=tuple(data.get("checkpoints") or ()),
            evaluation=data.get("evaluation"),
            checkpoint=data.get("checkpoint"),
            gate=data.get("gate"),
            promoted_by=data.get("promotedBy"),
        )


def _plain(value: Any) -> Any:
    """`value` with its mappings and sequences as dicts and lists, for YAML."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class QueueReason(str, enum.Enum):
    """Why a job that a spec needs has not been started."""

    # tuneops held it back: vertex.maxConcurrentJobs jobs were in flight in its place.
    LIMIT = "max-concurrent-jobs"
    # The service refused the create for a quota (429 RESOURCE_EXHAUSTED, not a rate).
    QUOTA = "service-quota"


@dataclass(frozen=True, slots=True)
class Queued:
    """A job the spec needs waits for a free slot; the next apply starts it.

    `ticket` orders the queue: the lowest ticket starts first. A queued spec keeps
    its ticket when it changes while it waits; tickets are never reused while
    taken. `spec_hash` is the hash of the spec whose job waits.
    """

    spec_hash: str
    ticket: int
    reason: QueueReason

    def to_data(self) -> dict[str, Any]:
        """The YAML mapping of this record."""
        return {"specHash": self.spec_hash, "ticket": self.ticket, "reason": self.reason.value}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Queued:
        """The record of a schema-valid mapping."""
        return cls(data["specHash"], data["ticket"], QueueReason(data["reason"]))


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
    queued: Queued | None = None

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
        if self.queued is not None:
            data["queued"] = self.queued.to_data()
        return data


@dataclass(frozen=True, slots=True)
class Lockfile:
    """The whole lockfile: one entry per spec name."""

    stack: str
    entries: Mapping[str, LockEntry] = field(default_factory=dict)
    # The digest of the bytes these entries were read from, valid only while the
    # entries are that very mapping (`replace` with other entries drops it).
    read_from: tuple[Mapping[str, LockEntry], str] | None = field(
        default=None, compare=False, repr=False
    )

    def with_entry(self, name: str, entry: LockEntry | None) -> Lockfile:
        """A copy with `name` set to `entry` (or removed, for None)."""
        entries = dict(self.entries)
        if entry is None:
            entries.pop(name, None)
        else:
            entries[name] = entry
        return replace(self, entries=entries)

    def next_ticket(self) -> int:
        """The ticket a newly queued spec gets: after every one taken."""
        taken = [e.queued.ticket for e in self.entries.values() if e.queued is not None]
        return max(taken, default=0) + 1

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
        # PyYAML's pure-Python emitter: libyaml's wraps and escapes some text
        # differently, and the canonical text must not depend on how PyYAML was built.
        body = yaml.safe_dump(
            ordered, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120
        )
        return HEADER + body

    def digest(self) -> str:
        """sha256 of what the lockfile holds: part of a plan's fingerprint.

        For a lockfile as read, the digest of the bytes read (lockfile, then any
        journal), which costs nothing; after a change, of the canonical text.
        """
        if self.read_from is not None and self.read_from[0] is self.entries:
            return self.read_from[1]
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
        queued=Queued.from_data(data["queued"]) if "queued" in data else None,
    )


def read_lockfile(path: Path, stack: str) -> Lockfile:
    """The lockfile at `path` with an interrupted apply's journal folded in.

    An empty lockfile when neither exists. A lockfile that is not valid YAML or
    does not match the schema raises `LockfileError` naming every problem and how
    to rebuild it.
    """
    if path.exists() and not path.is_file():
        # A FIFO or device would block the read forever.
        raise LockfileError(f"the lockfile {path} is not a regular file; {REBUILD_HINT}")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError as error:
        raise LockfileError(f"cannot read the lockfile {path}: {error}; {REBUILD_HINT}") from None
    base = _parse(path, raw, stack) if raw is not None else Lockfile(stack)
    journal, records = read_journal(path)
    digest = hashlib.sha256(raw or b"")
    if not records:
        entries = base.entries
    else:
        digest.update(b"\0journal\0" + journal)
        entries = dict(base.entries)
        for name, data in records:
            if data is None:
                entries.pop(name, None)
            else:
                entries[name] = _journal_entry(path, name, data, stack)
    return Lockfile(stack, entries, read_from=(entries, digest.hexdigest()))


def _journal_entry(path: Path, name: str, data: dict[str, Any], stack: str) -> LockEntry:
    instance = {"version": FORMAT_VERSION, "stack": stack, "specs": {name: data}}
    if not schemas.conforms("lockfile", instance):
        raise LockfileError(
            f"the apply journal of {path} holds an invalid entry for {name!r}; delete the "
            "journal and run `tuneops reconcile --write-lock`: the remote labels say which "
            "jobs exist"
        )
    return _entry(data)


def _parse(path: Path, raw: bytes, stack: str) -> Lockfile:
    # The node tree and positions of a 10 MiB lockfile cost more than the rest of a
    # plan: they are built only to say where a lockfile that is not plain and valid
    # is broken. libyaml parses the bytes read: decoding them first held the file
    # twice more while it was parsed (libyaml encodes a str to UTF-8 again), which
    # was the peak of a 10,000-spec plan's memory until then. Invalid UTF-8 makes
    # libyaml give up, and the decoding below reports it as before; only a UTF-16
    # byte order mark, which libyaml would follow and UTF-8 refuses, skips libyaml.
    data = None if raw.startswith(_UTF16_BOMS) else load_plain(raw)
    if isinstance(data, dict) and schemas.conforms("lockfile", data):
        return _checked(path, data, stack)
    del data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LockfileError(f"cannot read the lockfile {path}: {error}; {REBUILD_HINT}") from None
    documents, problems = load_documents(text, str(path))
    if not problems and len(documents) == 1 and isinstance(documents[0].data, dict):
        problems = schemas.check("lockfile", documents[0], documents[0].data)
        if not problems:
            return _checked(path, documents[0].data, stack)
    details = "; ".join(p.line() for p in problems) or f"{path}: not a YAML mapping"
    raise LockfileError(f"the lockfile is corrupt: {details}; {REBUILD_HINT}")


def _checked(path: Path, data: dict[str, Any], stack: str) -> Lockfile:
    """The lockfile of schema-valid `data`, if it belongs to `stack`."""
    if data["stack"] != stack:
        raise LockfileError(
            f"the lockfile {path} belongs to stack {data['stack']!r}, but tuneops.yaml "
            f"says {stack!r}; {REBUILD_HINT}"
        )
    return Lockfile(stack, {n: _entry(e) for n, e in data["specs"].items()})


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
    """Writes the lockfile atomically; returns False (and writes nothing) when unchanged.

    Every lockfile written was derived from one read with the journal folded in,
    so once it is on disk the journal is removed.
    """
    text = lockfile.render()
    try:
        if path.read_text(encoding="utf-8") == text:
            discard_journal(path)
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
    fsync_directory(path.parent)
    discard_journal(path)
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
