"""Cloud Storage objects in the emulator's SQLite state, with their generations.

Every write makes a new generation (a number that only grows); the previous one
stays as a noncurrent generation, as in a bucket with versioning, so a client
can still read exactly the generation it pinned. A delete makes the object
noncurrent. A bucket exists once it was created or anything was written to it.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from tuneops.emulator.crc32c import crc32c_base64

OBJECTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY, create_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL,
    name TEXT NOT NULL,
    generation INTEGER NOT NULL,
    live INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    crc32c TEXT NOT NULL,
    md5 TEXT NOT NULL,
    create_us INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (bucket, name, generation)
);
CREATE INDEX IF NOT EXISTS objects_live ON objects (bucket, live, name);
"""


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One generation of an object, without its bytes."""

    bucket: str
    name: str
    generation: int
    live: bool
    content_type: str
    size: int
    crc32c: str
    md5: str
    create_us: int


class ObjectTable:
    """Reads and writes of buckets and objects; the caller holds the state lock."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def ensure_bucket(self, bucket: str, now_us: int) -> None:
        """Creates the bucket unless it exists."""
        self._db.execute(
            "INSERT OR IGNORE INTO buckets (name, create_us) VALUES (?, ?)", (bucket, now_us)
        )

    def bucket_exists(self, bucket: str) -> bool:
        """Whether the bucket was created or written to."""
        row = self._db.execute("SELECT 1 FROM buckets WHERE name = ?", (bucket,)).fetchone()
        return row is not None

    def put(
        self, bucket: str, name: str, data: bytes, content_type: str, now_us: int
    ) -> StoredObject:
        """Writes a new live generation; the old one becomes noncurrent."""
        self.ensure_bucket(bucket, now_us)
        row = self._db.execute(
            "SELECT MAX(generation) FROM objects WHERE bucket = ? AND name = ?", (bucket, name)
        ).fetchone()
        # Cloud Storage generations are microsecond timestamps; keep them growing
        # even when the virtual clock stands still.
        generation = max(now_us, (row[0] or 0) + 1)
        md5 = hashlib.md5(data, usedforsecurity=False).digest()
        # One transaction: readers never see the object with no live generation.
        # (The connection autocommits, so the transaction is opened explicitly.)
        self._db.execute("BEGIN")
        try:
            self._db.execute(
                "UPDATE objects SET live = 0 WHERE bucket = ? AND name = ?", (bucket, name)
            )
            self._db.execute(
                "INSERT INTO objects (bucket, name, generation, live, content_type, crc32c, md5,"
                " create_us, data) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)",
                (
                    bucket,
                    name,
                    generation,
                    content_type,
                    crc32c_base64(data),
                    base64.b64encode(md5).decode("ascii"),
                    now_us,
                    data,
                ),
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        found = self.get(bucket, name, generation)
        assert found is not None
        return found

    def get(self, bucket: str, name: str, generation: int | None = None) -> StoredObject | None:
        """The live generation, or the given one (live or not)."""
        query = f"SELECT {_COLUMNS} FROM objects WHERE bucket = ? AND name = ?"
        if generation is None:
            row = self._db.execute(query + " AND live = 1", (bucket, name)).fetchone()
        else:
            row = self._db.execute(
                query + " AND generation = ?", (bucket, name, generation)
            ).fetchone()
        return None if row is None else _object(row)

    def data(self, found: StoredObject) -> bytes:
        """The bytes of one generation."""
        row = self._db.execute(
            "SELECT data FROM objects WHERE bucket = ? AND name = ? AND generation = ?",
            (found.bucket, found.name, found.generation),
        ).fetchone()
        return bytes(row[0])

    def delete(self, found: StoredObject) -> None:
        """Makes a generation noncurrent (a versioned bucket keeps it)."""
        self._db.execute(
            "UPDATE objects SET live = 0 WHERE bucket = ? AND name = ? AND generation = ?",
            (found.bucket, found.name, found.generation),
        )

    def scan(
        self, bucket: str, prefix: str, after: str, versions: bool, start: str = ""
    ) -> Iterator[StoredObject]:
        """Objects by name (then generation): names after `after`, from `start` on,
        starting with `prefix`."""
        query = f"SELECT {_COLUMNS} FROM objects WHERE bucket = ? AND name > ? AND name >= ?"
        if not versions:
            query += " AND live = 1"
        lowest = max(start, prefix)  # names are sorted, so the prefix's run starts here
        cursor = self._db.execute(query + " ORDER BY name, generation", (bucket, after, lowest))
        while rows := cursor.fetchmany(64):
            for row in rows:
                found = _object(row)
                if not found.name.startswith(prefix):
                    return  # past the run of names with the prefix
                yield found

    def clear(self) -> None:
        """Forgets every bucket and object."""
        self._db.execute("DELETE FROM objects")
        self._db.execute("DELETE FROM buckets")


_COLUMNS = "bucket, name, generation, live, content_type, LENGTH(data), crc32c, md5, create_us"


def _object(row: tuple[object, ...]) -> StoredObject:
    bucket, name, generation, live, content_type, size, crc, md5, create_us = row
    return StoredObject(
        bucket=str(bucket),
        name=str(name),
        generation=int(str(generation)),
        live=bool(live),
        content_type=str(content_type),
        size=int(str(size)),
        crc32c=str(crc),
        md5=str(md5),
        create_us=int(str(create_us)),
    )
