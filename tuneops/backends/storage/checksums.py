"""The checksums Cloud Storage keeps of every object: CRC32C (Castagnoli) and MD5.

An object's `crc32c` is the base64 of the big-endian CRC32C of its bytes, and
every object has one; `md5Hash` is missing for composite objects. A staged or
pinned object is believed only when its size and CRC32C (and MD5, when the
object has one) are those of the bytes tuneops computed or read itself.

The CRC32C is computed by `google-crc32c` (C) when it is installed (Google's
storage client brings it), and by the table below otherwise: the runtime
dependencies stay what they are, and only the speed differs.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
from dataclasses import dataclass
from typing import Any

_POLY = 0x82F63B78  # Castagnoli, reflected


def _table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _table()


def _fast() -> Any:
    try:
        module = importlib.import_module("google_crc32c")
    except ImportError:
        return None
    # Its pure-Python fallback is slower than the table here.
    return module if getattr(module, "implementation", "c") == "c" else None


_FAST = _fast()


def crc32c_update(crc: int, data: bytes) -> int:
    """The CRC32C of the bytes before and `data`, given `crc` of those before (0 at first)."""
    if _FAST is not None:
        return int(_FAST.extend(crc, data))
    return crc32c_pure(crc, data)


def crc32c_pure(crc: int, data: bytes) -> int:
    """`crc32c_update` in pure Python (table driven), whatever is installed."""
    crc ^= 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c_base64(crc: int) -> str:
    """A CRC32C as Cloud Storage's `crc32c` field writes it."""
    return base64.b64encode(crc.to_bytes(4, "big")).decode("ascii")


@dataclass(frozen=True, slots=True)
class Digests:
    """What tuneops computed of some bytes: their length, SHA-256 and Cloud Storage checksums."""

    size: int
    sha256: str
    md5: str
    crc32c: str


class Hasher:
    """SHA-256, MD5 and CRC32C of a stream of chunks, in one pass."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._crc = 0
        self._size = 0

    def update(self, chunk: bytes) -> None:
        """Adds the next chunk."""
        self._sha.update(chunk)
        self._md5.update(chunk)
        self._crc = crc32c_update(self._crc, chunk)
        self._size += len(chunk)

    def digests(self) -> Digests:
        """The digests of every chunk so far."""
        return Digests(
            size=self._size,
            sha256=self._sha.hexdigest(),
            md5=base64.b64encode(self._md5.digest()).decode("ascii"),
            crc32c=crc32c_base64(self._crc),
        )
