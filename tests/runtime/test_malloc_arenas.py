"""The listing threads share two malloc arenas, unless the user chose otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = """
from tuneops.runtime.malloc_arenas import limit_malloc_arenas
print(limit_malloc_arenas())
"""


def _probe(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return run.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_arenas_are_capped_on_linux() -> None:
    assert _probe() == "True"


def test_an_explicit_malloc_arena_max_wins() -> None:
    assert _probe(MALLOC_ARENA_MAX="4") == "False"
