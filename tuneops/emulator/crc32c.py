"""CRC32C (Castagnoli), as Cloud Storage reports it: base64 of the big-endian value.

Pure Python (the emulator depends on the standard library only), table driven;
fast enough for the dataset sizes tests and demos upload.
"""

from __future__ import annotations

import base64

_POLY = 0x82F63B78


def _table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _table()


def crc32c(data: bytes) -> int:
    """The CRC32C of `data`."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c_base64(data: bytes) -> str:
    """The `crc32c` field of a Cloud Storage object."""
    return base64.b64encode(crc32c(data).to_bytes(4, "big")).decode("ascii")
