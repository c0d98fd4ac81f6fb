"""What the shared lock object holds: who took it, when, for what, and until when.

The record is what the next machine shows when it has to wait or give up, and
what `tuneops force-unlock` checks its argument against, like Terraform's lock
info (ID, Operation, Who, Version, Created, Path).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from tuneops import __version__
from tuneops.server_text import clean

# A lock object is a few hundred bytes; anything far larger is not one of ours,
# and is never read whole.
MAX_RECORD_BYTES = 64 * 1024


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: Any) -> dt.datetime:
    if not isinstance(text, str):
        raise ValueError("not a time")
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def _who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a container user with no passwd entry
        user = f"uid {os.getuid()}"
    return f"{user}@{socket.gethostname()}"


@dataclass(frozen=True, slots=True)
class LockRecord:
    """The contents of the lock object (JSON, camelCase keys)."""

    lock_id: str
    stack: str
    operation: str
    who: str
    pid: int
    created: dt.datetime
    lease_expires: dt.datetime
    version: str

    @classmethod
    def new(cls, stack: str, operation: str, now: dt.datetime, lease_seconds: float) -> LockRecord:
        """A record for this process, with a fresh random lock id."""
        return cls(
            lock_id=str(uuid.uuid4()),
            stack=stack,
            operation=operation,
            who=_who(),
            pid=os.getpid(),
            created=now,
            lease_expires=now + dt.timedelta(seconds=lease_seconds),
            version=f"tuneops {__version__}",
        )

    def renewed(self, now: dt.datetime, lease_seconds: float) -> LockRecord:
        """The same lock with its lease counted again from `now`."""
        return LockRecord(
            self.lock_id,
            self.stack,
            self.operation,
            self.who,
            self.pid,
            self.created,
            now + dt.timedelta(seconds=lease_seconds),
            self.version,
        )

    def expired(self, now: dt.datetime) -> bool:
        """Whether the lease ran out: the holder stopped renewing it (it crashed or was cut off)."""
        return now >= self.lease_expires

    def to_bytes(self) -> bytes:
        """The JSON document stored in the lock object."""
        data = {
            "lockId": self.lock_id,
            "stack": self.stack,
            "operation": self.operation,
            "who": self.who,
            "pid": self.pid,
            "created": _time(self.created),
            "leaseExpires": _time(self.lease_expires),
            "version": self.version,
        }
        return (json.dumps(data, indent=2) + "\n").encode()

    @classmethod
    def parse(cls, raw: bytes) -> LockRecord:
        """The record in `raw`; ValueError when it is not a tuneops lock record."""
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        texts = {k: data.get(k) for k in ("lockId", "stack", "operation", "who", "version")}
        if not all(isinstance(v, str) and 0 < len(v) <= 300 for v in texts.values()):
            raise ValueError("a field is missing or not a short string")
        pid = data.get("pid")
        if not isinstance(pid, int) or isinstance(pid, bool):
            raise ValueError("pid is not an integer")
        return cls(
            lock_id=str(texts["lockId"]),
            stack=str(texts["stack"]),
            operation=str(texts["operation"]),
            who=str(texts["who"]),
            pid=pid,
            created=_parse_time(data.get("created")),
            lease_expires=_parse_time(data.get("leaseExpires")),
            version=str(texts["version"]),
        )

    def summary(self) -> str:
        """The record as `key: value` pairs (like Terraform's lock info), for an error or
        a warning. The text came from a bucket another machine wrote: each value is
        shown on one line, cleaned."""
        who, operation, version, lock_id = (
            clean(t, limit=100) for t in (self.who, self.operation, self.version, self.lock_id)
        )
        return (
            f"ID: {lock_id}, Operation: {operation}, Who: {who}, PID: {self.pid}, "
            f"Version: {version}, Created: {_time(self.created)}, "
            f"Expires: {_time(self.lease_expires)}"
        )
