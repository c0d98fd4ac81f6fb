"""Jobs, counters and settings in SQLite: in memory, or in a file that survives restarts.

One connection serves every thread; callers serialise access with the emulator's
state lock, so there are no concurrent transactions to reason about. Each write
commits at once, so a killed emulator loses nothing it has answered for. Two
processes may share a state file (two embedded runs): the file is in WAL mode,
waits for the other writer's lock, and sequence numbers are taken atomically.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneops.emulator.lifecycle import Timeline
from tuneops.emulator.object_store import OBJECTS_SCHEMA, ObjectTable

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects (project_id TEXT PRIMARY KEY, number TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    name TEXT PRIMARY KEY,
    api TEXT NOT NULL,
    parent TEXT NOT NULL,
    seq INTEGER NOT NULL,
    create_us INTEGER NOT NULL,
    endpoint TEXT,
    resource TEXT NOT NULL,
    extra TEXT NOT NULL,
    timeline TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_age ON jobs (api, parent, create_us DESC, seq DESC);
CREATE INDEX IF NOT EXISTS jobs_by_endpoint ON jobs (endpoint);
"""


class StoreError(Exception):
    """The state file cannot be used."""


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One stored job (a Vertex tuning job or a Gemini tuned model).

    `resource` is the parsed input as the client sent it; `extra` holds what the
    emulator decided at creation (ids, step counts) and never changes by itself
    (retiring a model records there why its running jobs stopped).
    """

    name: str
    api: str
    parent: str
    seq: int
    timeline: Timeline
    resource: dict[str, Any]
    extra: dict[str, Any]
    endpoint: str | None = None

    @property
    def create_us(self) -> int:
        """When the job was created."""
        return self.timeline.create_us


class Store:
    """The emulator's persistent state."""

    def __init__(self, path: Path | None) -> None:
        target = str(path) if path is not None else ":memory:"
        try:
            self._db = sqlite3.connect(
                target, check_same_thread=False, isolation_level=None, timeout=10.0
            )
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA + OBJECTS_SCHEMA)
            version = self.get_meta("schema_version")
            if version is None:
                self.set_meta("schema_version", SCHEMA_VERSION)
            elif version != SCHEMA_VERSION:
                raise StoreError(f"{path}: state schema {version}, expected {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: not a usable emulator state file ({error})") from None

    @property
    def objects(self) -> ObjectTable:
        """The Cloud Storage buckets and objects kept in the same database."""
        return ObjectTable(self._db)

    def close(self) -> None:
        """Closes the database."""
        self._db.close()

    def get_meta(self, key: str) -> str | None:
        """A stored setting, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Stores a setting."""
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def next_seq(self) -> int:
        """A number never handed out before by this state (ids derive from it)."""
        # fetchall finishes the statement, which ends its implicit transaction.
        rows = self._db.execute(
            "INSERT INTO meta (key, value) VALUES ('seq', '1') ON CONFLICT (key)"
            " DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value"
        ).fetchall()
        return int(rows[0][0])

    def project_number(self, project_id: str) -> str | None:
        """The number a project id was given, if any."""
        row = self._db.execute(
            "SELECT number FROM projects WHERE project_id = ?", (project_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def has_projects(self) -> bool:
        """True once any project id has been given a number."""
        return self._db.execute("SELECT 1 FROM projects LIMIT 1").fetchone() is not None

    def add_project(self, project_id: str, number: str) -> str:
        """Records the number of a project id unless one is known; returns the number."""
        self._db.execute(
            "INSERT OR IGNORE INTO projects (project_id, number) VALUES (?, ?)",
            (project_id, number),
        )
        return self.project_number(project_id) or number

    def projects(self) -> dict[str, str]:
        """Every project id -> number mapping."""
        rows = self._db.execute("SELECT project_id, number FROM projects ORDER BY project_id")
        return {str(project): str(number) for project, number in rows}

    def insert(self, job: JobRecord) -> None:
        """Stores a new job."""
        self._db.execute(
            "INSERT INTO jobs (name, api, parent, seq, create_us, endpoint, resource, extra,"
            " timeline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job.name,
                job.api,
                job.parent,
                job.seq,
                job.create_us,
                job.endpoint,
                json.dumps(job.resource),
                json.dumps(job.extra),
                json.dumps(job.timeline.to_json()),
            ),
        )

    def update(self, job: JobRecord) -> None:
        """Replaces the mutable parts of a stored job."""
        self._db.execute(
            "UPDATE jobs SET resource = ?, extra = ?, timeline = ? WHERE name = ?",
            (
                json.dumps(job.resource),
                json.dumps(job.extra),
                json.dumps(job.timeline.to_json()),
                job.name,
            ),
        )

    def get(self, name: str) -> JobRecord | None:
        """The job with this resource name."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE name = ?", (name,)).fetchone()
        return None if row is None else _record(row)

    def by_endpoint(self, endpoint: str) -> JobRecord | None:
        """The Vertex job whose tuned model is served at `endpoint`."""
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE endpoint = ?", (endpoint,)
        ).fetchone()
        return None if row is None else _record(row)

    def delete(self, name: str) -> bool:
        """Removes a job; False if there was none."""
        return self._db.execute("DELETE FROM jobs WHERE name = ?", (name,)).rowcount > 0

    def scan(self, api: str, parent: str, after: tuple[int, int] | None) -> Iterator[JobRecord]:
        """Jobs newest first, starting after the (create_us, seq) position `after`."""
        query = f"SELECT {_COLUMNS} FROM jobs WHERE api = ? AND parent = ?"
        args: tuple[Any, ...] = (api, parent)
        if after is not None:
            query += " AND (create_us < ? OR (create_us = ? AND seq < ?))"
            args += (after[0], after[0], after[1])
        cursor = self._db.execute(query + " ORDER BY create_us DESC, seq DESC", args)
        while rows := cursor.fetchmany(64):
            yield from (_record(row) for row in rows)

    def every_job(self) -> list[JobRecord]:
        """Every stored job of both APIs, oldest first."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY create_us, seq")
        return [_record(row) for row in rows.fetchall()]

    def clear(self) -> None:
        """Forgets every job, project number and setting except the schema version."""
        self._db.execute("BEGIN")
        self._db.execute("DELETE FROM jobs")
        self._db.execute("DELETE FROM projects")
        self._db.execute("DELETE FROM meta WHERE key != 'schema_version'")
        self.objects.clear()
        self._db.execute("COMMIT")


_COLUMNS = "name, api, parent, seq, endpoint, resource, extra, timeline"


def _record(row: tuple[Any, ...]) -> JobRecord:
    name, api, parent, seq, endpoint, resource, extra, timeline = row
    return JobRecord(
        name=name,
        api=api,
        parent=parent,
        seq=seq,
        timeline=Timeline.from_json(json.loads(timeline)),
        resource=json.loads(resource),
        extra=json.loads(extra),
        endpoint=endpoint,
    )
