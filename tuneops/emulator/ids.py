"""Server-chosen ids and random decisions, derived from the seed and a sequence number.

The same seed and the same order of requests give the same ids and the same job
outcomes, run after run; the sequence number lives in the store, so a restarted
emulator never hands out an id twice.
"""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


class IdSource:
    """Deterministic ids and coin flips for one seed."""

    def __init__(self, seed: int) -> None:
        self._seed = seed

    def _draw(self, seq: int, purpose: str) -> int:
        digest = hashlib.sha256(f"{self._seed}:{purpose}:{seq}".encode()).digest()
        return int.from_bytes(digest, "big")

    def number(self, seq: int, purpose: str, digits: int = 19) -> str:
        """A decimal id of exactly `digits` digits (Vertex job, model and endpoint ids)."""
        low = 10 ** (digits - 1)
        return str(low + self._draw(seq, purpose) % (9 * low))

    def letters(self, seq: int, purpose: str, length: int = 12) -> str:
        """A lowercase alphanumeric id (Gemini name suffixes and operation ids)."""
        value = self._draw(seq, purpose)
        chars = []
        for _ in range(length):
            value, index = divmod(value, len(_ALPHABET))
            chars.append(_ALPHABET[index])
        return "".join(chars)

    def fraction(self, seq: int, purpose: str) -> float:
        """A number in [0, 1), uniform over seeds and sequence numbers."""
        return (self._draw(seq, purpose) % 10**12) / 10**12


def project_number_for(project_id: str) -> str:
    """A stable 12-digit number for a project id other than the first one seen."""
    digest = hashlib.sha256(project_id.encode()).digest()
    return str(10**11 + int.from_bytes(digest[:8], "big") % (9 * 10**11))
